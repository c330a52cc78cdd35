/*  REQ/REP: the request-reply state machine (EFSM), envelopes seen by
    ROUTER and DEALER peers, REQ_RELAXED and REQ_CORRELATE.                */
#include "testutil.h"

static void *ctx;

static void *sock (int type)
{
    void *s = zmq_socket (ctx, type);
    CHECK_PTR (s);
    return s;
}

static void basic_round_trips (void)
{
    ctx = zmq_ctx_new ();
    void *rep = sock (ZMQ_REP), *req = sock (ZMQ_REQ);
    CHECK_OK (zmq_bind (rep, "inproc://rr"));
    CHECK_OK (zmq_connect (req, "inproc://rr"));
    for (int i = 0; i < 100; i++) {
        CHECK_EQ (zmq_send (req, &i, sizeof i, 0), (int) sizeof i);
        int v = -1;
        CHECK_EQ (zmq_recv (rep, &v, sizeof v, 0), (int) sizeof v);
        CHECK_EQ (v, i);
        v = i * 2;
        CHECK_EQ (zmq_send (rep, &v, sizeof v, 0), (int) sizeof v);
        CHECK_EQ (zmq_recv (req, &v, sizeof v, 0), (int) sizeof v);
        CHECK_EQ (v, i * 2);
    }
    /*  A multipart request and reply keep their frames.                    */
    SEND_STR (req, "a", ZMQ_SNDMORE);
    SEND_STR (req, "b", 0);
    RECV_STR (rep, "a", 1);
    RECV_STR (rep, "b", 0);
    SEND_STR (rep, "c", ZMQ_SNDMORE);
    SEND_STR (rep, "d", 0);
    RECV_STR (req, "c", 1);
    RECV_STR (req, "d", 0);
    close_zero_linger (rep);
    close_zero_linger (req);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void state_machine (void)
{
    ctx = zmq_ctx_new ();
    void *rep = sock (ZMQ_REP), *req = sock (ZMQ_REQ);
    CHECK_OK (zmq_bind (rep, "inproc://fsm"));
    CHECK_OK (zmq_connect (req, "inproc://fsm"));
    char buf[16];
    /*  REQ must send first, REP must receive first.                         */
    CHECK_ERR (zmq_recv (req, buf, sizeof buf, 0), EFSM);
    CHECK_ERR (zmq_send (rep, "x", 1, 0), EFSM);
    SEND_STR (req, "q1", 0);
    /*  REQ cannot send twice.                                               */
    CHECK_ERR (zmq_send (req, "q2", 2, 0), EFSM);
    /*  REP cannot receive twice.                                            */
    RECV_STR (rep, "q1", 0);
    CHECK_ERR (zmq_recv (rep, buf, sizeof buf, 0), EFSM);
    SEND_STR (rep, "a1", 0);
    CHECK_ERR (zmq_send (rep, "a2", 2, 0), EFSM);
    RECV_STR (req, "a1", 0);
    CHECK_ERR (zmq_recv (req, buf, sizeof buf, 0), EFSM);
    /*  A multipart send is one request: the state changes at its end.      */
    SEND_STR (req, "m1", ZMQ_SNDMORE);
    SEND_STR (req, "m2", 0);
    CHECK_ERR (zmq_send (req, "m3", 2, 0), EFSM);
    RECV_STR (rep, "m1", 1);
    RECV_STR (rep, "m2", 0);
    SEND_STR (rep, "ok", 0);
    RECV_STR (req, "ok", 0);
    close_zero_linger (rep);
    close_zero_linger (req);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void req_to_router (void)
{
    /*  A ROUTER sees REQ's envelope: routing id, empty delimiter, body.    */
    ctx = zmq_ctx_new ();
    void *router = sock (ZMQ_ROUTER), *req = sock (ZMQ_REQ);
    CHECK_OK (zmq_setsockopt (req, ZMQ_ROUTING_ID, "client", 6));
    CHECK_OK (zmq_bind (router, "inproc://req-router"));
    CHECK_OK (zmq_connect (req, "inproc://req-router"));
    SEND_STR (req, "hello", 0);
    RECV_STR (router, "client", 1);
    RECV_STR (router, "", 1);
    RECV_STR (router, "hello", 0);
    SEND_STR (router, "client", ZMQ_SNDMORE);
    SEND_STR (router, "", ZMQ_SNDMORE);
    SEND_STR (router, "world", 0);
    RECV_STR (req, "world", 0);
    /*  A reply without the empty delimiter is dropped by REQ.              */
    SEND_STR (req, "again", 0);
    RECV_STR (router, "client", 1);
    RECV_STR (router, "", 1);
    RECV_STR (router, "again", 0);
    SEND_STR (router, "client", ZMQ_SNDMORE);
    SEND_STR (router, "no delimiter", 0);
    SEND_STR (router, "client", ZMQ_SNDMORE);
    SEND_STR (router, "", ZMQ_SNDMORE);
    SEND_STR (router, "proper", 0);
    RECV_STR (req, "proper", 0);
    close_zero_linger (router);
    close_zero_linger (req);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void dealer_to_rep (void)
{
    /*  REP strips and restores the envelope; a DEALER must add the empty
        delimiter itself and gets it back.                                 */
    ctx = zmq_ctx_new ();
    void *rep = sock (ZMQ_REP), *dealer = sock (ZMQ_DEALER);
    CHECK_OK (zmq_bind (rep, "inproc://dealer-rep"));
    CHECK_OK (zmq_connect (dealer, "inproc://dealer-rep"));
    SEND_STR (dealer, "", ZMQ_SNDMORE);
    SEND_STR (dealer, "req", 0);
    RECV_STR (rep, "req", 0);
    SEND_STR (rep, "rep", 0);
    RECV_STR (dealer, "", 1);
    RECV_STR (dealer, "rep", 0);
    /*  A longer envelope (as through a broker) is echoed entirely.         */
    SEND_STR (dealer, "hop1", ZMQ_SNDMORE);
    SEND_STR (dealer, "hop2", ZMQ_SNDMORE);
    SEND_STR (dealer, "", ZMQ_SNDMORE);
    SEND_STR (dealer, "body", 0);
    RECV_STR (rep, "body", 0);
    SEND_STR (rep, "answer", 0);
    RECV_STR (dealer, "hop1", 1);
    RECV_STR (dealer, "hop2", 1);
    RECV_STR (dealer, "", 1);
    RECV_STR (dealer, "answer", 0);
    close_zero_linger (rep);
    close_zero_linger (dealer);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void rep_fair_queues_requests (void)
{
    /*  Two REQ clients; REP answers each on its own path.                  */
    ctx = zmq_ctx_new ();
    void *rep = sock (ZMQ_REP);
    CHECK_OK (zmq_bind (rep, "inproc://two-clients"));
    void *req[2];
    for (int i = 0; i < 2; i++) {
        req[i] = sock (ZMQ_REQ);
        CHECK_OK (zmq_connect (req[i], "inproc://two-clients"));
        CHECK_EQ (zmq_send (req[i], &i, sizeof i, 0), (int) sizeof i);
    }
    for (int k = 0; k < 2; k++) {
        int v = -1;
        CHECK_EQ (zmq_recv (rep, &v, sizeof v, 0), (int) sizeof v);
        v += 100;
        CHECK_EQ (zmq_send (rep, &v, sizeof v, 0), (int) sizeof v);
    }
    for (int i = 0; i < 2; i++) {
        int v = -1;
        CHECK_EQ (zmq_recv (req[i], &v, sizeof v, 0), (int) sizeof v);
        CHECK_EQ (v, i + 100);
    }
    close_zero_linger (rep);
    close_zero_linger (req[0]);
    close_zero_linger (req[1]);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void relaxed_and_correlate (void)
{
    ctx = zmq_ctx_new ();
    void *router = sock (ZMQ_ROUTER), *req = sock (ZMQ_REQ);
    set_int (req, ZMQ_REQ_RELAXED, 1);
    set_int (req, ZMQ_REQ_CORRELATE, 1);
    CHECK_OK (zmq_setsockopt (req, ZMQ_ROUTING_ID, "R", 1));
    CHECK_OK (zmq_bind (router, "inproc://relaxed"));
    CHECK_OK (zmq_connect (req, "inproc://relaxed"));

    /*  With CORRELATE, each request carries a 4-byte request id before the
        delimiter.                                                          */
    unsigned char id1[8], id2[8];
    SEND_STR (req, "first", 0);
    RECV_STR (router, "R", 1);
    CHECK_EQ (zmq_recv (router, id1, sizeof id1, 0), 4);
    RECV_STR (router, "", 1);
    RECV_STR (router, "first", 0);
    /*  RELAXED: a new request without waiting for the reply.               */
    SEND_STR (req, "second", 0);
    RECV_STR (router, "R", 1);
    CHECK_EQ (zmq_recv (router, id2, sizeof id2, 0), 4);
    RECV_STR (router, "", 1);
    RECV_STR (router, "second", 0);
    CHECK (memcmp (id1, id2, 4) != 0);

    /*  A reply to the first (stale) request is dropped; the second's gets
        through.                                                           */
    SEND_STR (router, "R", ZMQ_SNDMORE);
    CHECK_EQ (zmq_send (router, id1, 4, ZMQ_SNDMORE), 4);
    SEND_STR (router, "", ZMQ_SNDMORE);
    SEND_STR (router, "stale", 0);
    SEND_STR (router, "R", ZMQ_SNDMORE);
    CHECK_EQ (zmq_send (router, id2, 4, ZMQ_SNDMORE), 4);
    SEND_STR (router, "", ZMQ_SNDMORE);
    SEND_STR (router, "fresh", 0);
    RECV_STR (req, "fresh", 0);
    close_zero_linger (router);
    close_zero_linger (req);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void req_without_peer_blocks (void)
{
    /*  REQ with no peer cannot send: DONTWAIT gives EAGAIN, SNDTIMEO too.   */
    ctx = zmq_ctx_new ();
    void *req = sock (ZMQ_REQ);
    CHECK_ERR (zmq_send (req, "x", 1, ZMQ_DONTWAIT), EAGAIN);
    set_int (req, ZMQ_SNDTIMEO, 50);
    int64_t t0 = now_ms ();
    CHECK_ERR (zmq_send (req, "x", 1, 0), EAGAIN);
    CHECK (now_ms () - t0 >= 40);
    /*  It is still in the "send" state.                                    */
    char buf[4];
    CHECK_ERR (zmq_recv (req, buf, sizeof buf, ZMQ_DONTWAIT), EFSM);
    close_zero_linger (req);
    CHECK_OK (zmq_ctx_term (ctx));
}

int main (void)
{
    RUN_CASE (basic_round_trips);
    RUN_CASE (state_machine);
    RUN_CASE (req_to_router);
    RUN_CASE (dealer_to_rep);
    RUN_CASE (rep_fair_queues_requests);
    RUN_CASE (relaxed_and_correlate);
    RUN_CASE (req_without_peer_blocks);
    return testutil_summary ();
}
