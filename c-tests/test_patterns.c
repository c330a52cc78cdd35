/*  PAIR, PUSH/PULL and DEALER/ROUTER over inproc: delivery, multipart
    atomicity, load balancing, fair queueing, routing ids.                  */
#include "testutil.h"

static void *ctx;

static void *sock (int type)
{
    void *s = zmq_socket (ctx, type);
    CHECK_PTR (s);
    return s;
}

static void pair_both_ways (void)
{
    ctx = zmq_ctx_new ();
    void *a = sock (ZMQ_PAIR), *b = sock (ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, "inproc://pair"));
    CHECK_OK (zmq_connect (b, "inproc://pair"));
    SEND_STR (b, "ping", 0);
    RECV_STR (a, "ping", 0);
    SEND_STR (a, "pong", 0);
    RECV_STR (b, "pong", 0);
    /*  Multipart: all frames arrive, in order, with MORE on all but last.  */
    SEND_STR (a, "f1", ZMQ_SNDMORE);
    SEND_STR (a, "f2", ZMQ_SNDMORE);
    SEND_STR (a, "f3", 0);
    RECV_STR (b, "f1", 1);
    RECV_STR (b, "f2", 1);
    RECV_STR (b, "f3", 0);
    /*  Nothing else is pending.                                             */
    char buf[8];
    CHECK_ERR (zmq_recv (a, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);
    CHECK_ERR (zmq_recv (b, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);
    /*  PAIR is exclusive: a second peer's connection is not served.        */
    void *c = sock (ZMQ_PAIR);
    CHECK_OK (zmq_connect (c, "inproc://pair"));
    SEND_STR (b, "still b", 0);
    RECV_STR (a, "still b", 0);
    CHECK_ERR (zmq_send (c, "x", 1, ZMQ_DONTWAIT), EAGAIN);
    close_zero_linger (a);
    close_zero_linger (b);
    close_zero_linger (c);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void connect_before_bind (void)
{
    ctx = zmq_ctx_new ();
    void *a = sock (ZMQ_PAIR), *b = sock (ZMQ_PAIR);
    /*  inproc allows connecting first; messages wait for the bind.         */
    CHECK_OK (zmq_connect (b, "inproc://later"));
    SEND_STR (b, "early", 0);
    CHECK_OK (zmq_bind (a, "inproc://later"));
    RECV_STR (a, "early", 0);
    SEND_STR (a, "reply", 0);
    RECV_STR (b, "reply", 0);
    close_zero_linger (a);
    close_zero_linger (b);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void push_round_robin (void)
{
    /*  One PUSH connected to three bound PULLs: the connect side attaches
        each pipe at once, so round robin gives each exactly a third.      */
    ctx = zmq_ctx_new ();
    void *push = sock (ZMQ_PUSH);
    void *pull[3];
    char ep[32];
    for (int i = 0; i < 3; i++) {
        pull[i] = sock (ZMQ_PULL);
        snprintf (ep, sizeof ep, "inproc://rr%d", i);
        CHECK_OK (zmq_bind (pull[i], ep));
        CHECK_OK (zmq_connect (push, ep));
    }
    for (int i = 0; i < 30; i++)
        CHECK_EQ (zmq_send (push, &i, sizeof i, 0), (int) sizeof i);
    int total = 0;
    for (int p = 0; p < 3; p++) {
        int count = 0, last = -1, v;
        while (zmq_recv (pull[p], &v, sizeof v, ZMQ_DONTWAIT) == sizeof v) {
            CHECK (v > last); /* each peer sees its share in order */
            /*  consecutive messages of one peer are 3 apart                */
            if (last >= 0)
                CHECK_EQ (v - last, 3);
            last = v;
            count++;
        }
        CHECK_EQ (zmq_errno (), EAGAIN);
        CHECK_EQ (count, 10);
        total += count;
    }
    CHECK_EQ (total, 30);
    close_zero_linger (push);
    for (int i = 0; i < 3; i++)
        close_zero_linger (pull[i]);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void push_bound_round_robin (void)
{
    /*  The same with the PUSH bound: peers that connected before the first
        send are all served, equally.                                      */
    ctx = zmq_ctx_new ();
    void *push = sock (ZMQ_PUSH);
    CHECK_OK (zmq_bind (push, "inproc://rr-bound"));
    void *pull[3];
    for (int i = 0; i < 3; i++) {
        pull[i] = sock (ZMQ_PULL);
        CHECK_OK (zmq_connect (pull[i], "inproc://rr-bound"));
    }
    for (int i = 0; i < 300; i++)
        CHECK_EQ (zmq_send (push, &i, sizeof i, 0), (int) sizeof i);
    for (int p = 0; p < 3; p++) {
        int count = 0, last = -1, v;
        while (zmq_recv (pull[p], &v, sizeof v, ZMQ_DONTWAIT) == sizeof v) {
            if (last >= 0)
                CHECK_EQ (v - last, 3);
            last = v;
            count++;
        }
        CHECK_EQ (count, 100);
    }
    close_zero_linger (push);
    for (int i = 0; i < 3; i++)
        close_zero_linger (pull[i]);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void push_multipart_not_split (void)
{
    /*  Round robin moves on per message, never within a multipart one.     */
    ctx = zmq_ctx_new ();
    void *push = sock (ZMQ_PUSH);
    void *pull[2];
    for (int i = 0; i < 2; i++) {
        char ep[32];
        pull[i] = sock (ZMQ_PULL);
        snprintf (ep, sizeof ep, "inproc://mp%d", i);
        CHECK_OK (zmq_bind (pull[i], ep));
        CHECK_OK (zmq_connect (push, ep));
    }
    for (int i = 0; i < 4; i++) {
        SEND_STR (push, "head", ZMQ_SNDMORE);
        SEND_STR (push, "body", ZMQ_SNDMORE);
        SEND_STR (push, "tail", 0);
    }
    for (int p = 0; p < 2; p++) {
        for (int i = 0; i < 2; i++) {
            RECV_STR (pull[p], "head", 1);
            RECV_STR (pull[p], "body", 1);
            RECV_STR (pull[p], "tail", 0);
        }
        char buf[8];
        CHECK_ERR (zmq_recv (pull[p], buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);
    }
    close_zero_linger (push);
    close_zero_linger (pull[0]);
    close_zero_linger (pull[1]);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void pull_fair_queue (void)
{
    /*  Two PUSH peers with queued multipart messages: PULL alternates
        between them and never interleaves the frames of two messages.     */
    ctx = zmq_ctx_new ();
    void *pull = sock (ZMQ_PULL);
    CHECK_OK (zmq_bind (pull, "inproc://fq"));
    void *push[2];
    for (int i = 0; i < 2; i++) {
        push[i] = sock (ZMQ_PUSH);
        CHECK_OK (zmq_connect (push[i], "inproc://fq"));
    }
    for (int n = 0; n < 5; n++)
        for (int i = 0; i < 2; i++) {
            char part[8];
            snprintf (part, sizeof part, "p%d", i);
            SEND_STR (push[i], part, ZMQ_SNDMORE);
            SEND_STR (push[i], part, 0);
        }
    int from[2] = {0, 0};
    char prev[8] = "";
    for (int n = 0; n < 10; n++) {
        char a[8] = {0}, b[8] = {0};
        CHECK_EQ (zmq_recv (pull, a, sizeof a - 1, 0), 2);
        CHECK_EQ (get_int (pull, ZMQ_RCVMORE), 1);
        CHECK_EQ (zmq_recv (pull, b, sizeof b - 1, 0), 2);
        CHECK_EQ (get_int (pull, ZMQ_RCVMORE), 0);
        CHECK_STR (a, b);
        /*  Fair: never the same peer twice in a row while both have some.  */
        CHECK (strcmp (a, prev) != 0);
        strcpy (prev, a);
        from[a[1] - '0']++;
    }
    CHECK_EQ (from[0], 5);
    CHECK_EQ (from[1], 5);
    close_zero_linger (pull);
    close_zero_linger (push[0]);
    close_zero_linger (push[1]);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void dealer_router (void)
{
    ctx = zmq_ctx_new ();
    void *router = sock (ZMQ_ROUTER);
    CHECK_OK (zmq_bind (router, "inproc://dr"));
    void *d1 = sock (ZMQ_DEALER), *d2 = sock (ZMQ_DEALER);
    CHECK_OK (zmq_setsockopt (d1, ZMQ_ROUTING_ID, "alice", 5));
    CHECK_OK (zmq_setsockopt (d2, ZMQ_ROUTING_ID, "bob", 3));
    char id[256];
    size_t idlen = sizeof id;
    CHECK_OK (zmq_getsockopt (d1, ZMQ_ROUTING_ID, id, &idlen));
    CHECK_EQ (idlen, 5);
    CHECK_EQ (memcmp (id, "alice", 5), 0);
    CHECK_OK (zmq_connect (d1, "inproc://dr"));
    CHECK_OK (zmq_connect (d2, "inproc://dr"));

    SEND_STR (d1, "from", ZMQ_SNDMORE);
    SEND_STR (d1, "alice", 0);
    RECV_STR (router, "alice", 1); /* routing id frame */
    RECV_STR (router, "from", 1);
    RECV_STR (router, "alice", 0);
    SEND_STR (d2, "hi", 0);
    RECV_STR (router, "bob", 1);
    RECV_STR (router, "hi", 0);

    /*  Replies are routed by the first frame.                              */
    SEND_STR (router, "bob", ZMQ_SNDMORE);
    SEND_STR (router, "to bob", 0);
    SEND_STR (router, "alice", ZMQ_SNDMORE);
    SEND_STR (router, "to", ZMQ_SNDMORE);
    SEND_STR (router, "alice", 0);
    RECV_STR (d2, "to bob", 0);
    RECV_STR (d1, "to", 1);
    RECV_STR (d1, "alice", 0);

    /*  Unknown routing id: silently dropped, unless ROUTER_MANDATORY.      */
    SEND_STR (router, "nobody", ZMQ_SNDMORE);
    SEND_STR (router, "lost", 0);
    char buf[16];
    CHECK_ERR (zmq_recv (d1, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);
    CHECK_ERR (zmq_recv (d2, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);
    set_int (router, ZMQ_ROUTER_MANDATORY, 1);
    CHECK_ERR (zmq_send (router, "nobody", 6, ZMQ_SNDMORE), EHOSTUNREACH);
    SEND_STR (router, "alice", ZMQ_SNDMORE);
    SEND_STR (router, "mandatory ok", 0);
    RECV_STR (d1, "mandatory ok", 0);

    close_zero_linger (router);
    close_zero_linger (d1);
    close_zero_linger (d2);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void router_generated_ids (void)
{
    /*  Without ZMQ_ROUTING_ID, ROUTER makes a 5-byte id: 0 then a 32-bit
        counter. Two peers get distinct ids; replies reach the right one.  */
    ctx = zmq_ctx_new ();
    void *router = sock (ZMQ_ROUTER);
    CHECK_OK (zmq_bind (router, "inproc://gen"));
    void *d[2];
    unsigned char ids[2][256];
    int idlens[2];
    for (int i = 0; i < 2; i++) {
        d[i] = sock (ZMQ_DEALER);
        CHECK_OK (zmq_connect (d[i], "inproc://gen"));
        CHECK_EQ (zmq_send (d[i], &i, sizeof i, 0), (int) sizeof i);
        idlens[i] = zmq_recv (router, ids[i], sizeof ids[i], 0);
        CHECK_EQ (idlens[i], 5);
        CHECK_EQ (ids[i][0], 0);
        int v = -1;
        CHECK_EQ (zmq_recv (router, &v, sizeof v, 0), (int) sizeof v);
        CHECK_EQ (v, i);
    }
    CHECK (memcmp (ids[0], ids[1], 5) != 0);
    for (int i = 1; i >= 0; i--) {
        CHECK_EQ (zmq_send (router, ids[i], 5, ZMQ_SNDMORE), 5);
        CHECK_EQ (zmq_send (router, &i, sizeof i, 0), (int) sizeof i);
    }
    for (int i = 0; i < 2; i++) {
        int v = -1;
        CHECK_EQ (zmq_recv (d[i], &v, sizeof v, 0), (int) sizeof v);
        CHECK_EQ (v, i);
    }
    close_zero_linger (router);
    close_zero_linger (d[0]);
    close_zero_linger (d[1]);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void dealer_round_robin_and_fair (void)
{
    /*  DEALER load-balances outgoing and fair-queues incoming.             */
    ctx = zmq_ctx_new ();
    void *dealer = sock (ZMQ_DEALER);
    void *peer[2];
    for (int i = 0; i < 2; i++) {
        char ep[32];
        peer[i] = sock (ZMQ_DEALER);
        snprintf (ep, sizeof ep, "inproc://dd%d", i);
        CHECK_OK (zmq_bind (peer[i], ep));
        CHECK_OK (zmq_connect (dealer, ep));
    }
    for (int i = 0; i < 4; i++)
        CHECK_EQ (zmq_send (dealer, &i, sizeof i, 0), (int) sizeof i);
    for (int p = 0; p < 2; p++) {
        for (int k = 0; k < 2; k++) {
            int v = -1;
            CHECK_EQ (zmq_recv (peer[p], &v, sizeof v, 0), (int) sizeof v);
            CHECK_EQ (v % 2, p);
        }
        SEND_STR (peer[p], p ? "b" : "a", 0);
    }
    char got[2][4] = {{0}, {0}};
    CHECK_EQ (zmq_recv (dealer, got[0], 3, 0), 1);
    CHECK_EQ (zmq_recv (dealer, got[1], 3, 0), 1);
    CHECK (strcmp (got[0], got[1]) != 0);
    close_zero_linger (dealer);
    close_zero_linger (peer[0]);
    close_zero_linger (peer[1]);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void unbind_and_disconnect (void)
{
    ctx = zmq_ctx_new ();
    void *a = sock (ZMQ_PAIR), *b = sock (ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, "inproc://ub"));
    CHECK_OK (zmq_connect (b, "inproc://ub"));
    SEND_STR (b, "before", 0);
    RECV_STR (a, "before", 0);
    /*  After unbind the name is free again.                                 */
    CHECK_OK (zmq_unbind (a, "inproc://ub"));
    CHECK_ERR (zmq_unbind (a, "inproc://ub"), ENOENT);
    void *c = sock (ZMQ_PAIR);
    CHECK_OK (zmq_bind (c, "inproc://ub"));
    CHECK_OK (zmq_disconnect (b, "inproc://ub"));
    CHECK_ERR (zmq_disconnect (b, "inproc://ub"), ENOENT);
    close_zero_linger (a);
    close_zero_linger (b);
    close_zero_linger (c);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void connect_routing_id (void)
{
    /*  Only the routing types take ZMQ_CONNECT_ROUTING_ID (libzmq keeps it
        in routing_socket_base_t: ROUTER, REP through ROUTER, STREAM); the
        others refuse it with EINVAL. Empty is refused; it is write-only.  */
    ctx = zmq_ctx_new ();
    for (int type = ZMQ_PAIR; type <= ZMQ_STREAM; type++) {
        void *s = sock (type);
        int routing =
          type == ZMQ_ROUTER || type == ZMQ_REP || type == ZMQ_STREAM;
        if (routing)
            CHECK_OK (zmq_setsockopt (s, ZMQ_CONNECT_ROUTING_ID, "x", 1));
        else
            CHECK_ERR (zmq_setsockopt (s, ZMQ_CONNECT_ROUTING_ID, "x", 1),
                       EINVAL);
        CHECK_ERR (zmq_setsockopt (s, ZMQ_CONNECT_ROUTING_ID, "", 0), EINVAL);
        char buf[8];
        size_t len = sizeof buf;
        CHECK_ERR (zmq_getsockopt (s, ZMQ_CONNECT_ROUTING_ID, buf, &len),
                   EINVAL);
        close_zero_linger (s);
    }

    /*  A ROUTER addresses the peer it connected to by the id it chose.     */
    void *server = sock (ZMQ_ROUTER), *client = sock (ZMQ_ROUTER);
    CHECK_OK (zmq_bind (server, "inproc://crid"));
    CHECK_OK (zmq_setsockopt (client, ZMQ_ROUTING_ID, "cli", 3));
    set_int (client, ZMQ_ROUTER_MANDATORY, 1);
    CHECK_OK (zmq_setsockopt (client, ZMQ_CONNECT_ROUTING_ID, "link", 4));
    CHECK_OK (zmq_connect (client, "inproc://crid"));
    SEND_STR (client, "link", ZMQ_SNDMORE);
    SEND_STR (client, "hello", 0);
    RECV_STR (server, "cli", 1);
    RECV_STR (server, "hello", 0);
    /*  And names what comes back from that peer.                          */
    SEND_STR (server, "cli", ZMQ_SNDMORE);
    SEND_STR (server, "back", 0);
    RECV_STR (client, "link", 1);
    RECV_STR (client, "back", 0);
    close_zero_linger (server);
    close_zero_linger (client);
    CHECK_OK (zmq_ctx_term (ctx));
}

int main (void)
{
    RUN_CASE (pair_both_ways);
    RUN_CASE (connect_before_bind);
    RUN_CASE (push_round_robin);
    RUN_CASE (push_bound_round_robin);
    RUN_CASE (push_multipart_not_split);
    RUN_CASE (pull_fair_queue);
    RUN_CASE (dealer_router);
    RUN_CASE (router_generated_ids);
    RUN_CASE (dealer_round_robin_and_fair);
    RUN_CASE (unbind_and_disconnect);
    RUN_CASE (connect_routing_id);
    return testutil_summary ();
}
