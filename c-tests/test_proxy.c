/*  zmq_proxy and zmq_proxy_steerable over inproc: forwarding with capture,
    PAUSE/RESUME, STATISTICS, TERMINATE, and a REQ/ROUTER-DEALER/REP broker
    stopped by zmq_ctx_term (ETERM).                                        */
#include "testutil.h"

typedef struct
{
    void *frontend, *backend, *capture, *control;
    int rc;
    int err;
} proxy_args_t;

static void run_steerable (void *arg)
{
    proxy_args_t *p = arg;
    p->rc = zmq_proxy_steerable (p->frontend, p->backend, p->capture,
                                 p->control);
    p->err = p->rc == -1 ? zmq_errno () : 0;
}

static void run_proxy_and_close (void *arg)
{
    proxy_args_t *p = arg;
    p->rc = zmq_proxy (p->frontend, p->backend, p->capture);
    p->err = p->rc == -1 ? zmq_errno () : 0;
    zmq_close (p->frontend);
    zmq_close (p->backend);
}

static void *new_sock (void *ctx, int type)
{
    void *s = zmq_socket (ctx, type);
    CHECK_PTR (s);
    return s;
}

/*  Asks the proxy for its statistics (8 frames of uint64).                 */
static void statistics (void *ctl, uint64_t stats[8])
{
    SEND_STR (ctl, "STATISTICS", 0);
    for (int i = 0; i < 8; i++) {
        CHECK_EQ (zmq_recv (ctl, &stats[i], sizeof stats[i], 0),
                  (int) sizeof stats[i]);
        CHECK_EQ (get_int (ctl, ZMQ_RCVMORE), i < 7);
    }
}

static void steerable (void)
{
    void *ctx = zmq_ctx_new ();
    proxy_args_t p = {new_sock (ctx, ZMQ_PULL), new_sock (ctx, ZMQ_PUSH),
                      new_sock (ctx, ZMQ_PUSH), new_sock (ctx, ZMQ_PAIR), 0,
                      0};
    CHECK_OK (zmq_bind (p.frontend, "inproc://fe"));
    CHECK_OK (zmq_bind (p.backend, "inproc://be"));
    void *cap = new_sock (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (cap, "inproc://cap"));
    CHECK_OK (zmq_connect (p.capture, "inproc://cap"));
    CHECK_OK (zmq_bind (p.control, "inproc://ctl"));
    void *ctl = new_sock (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_connect (ctl, "inproc://ctl"));
    void *client = new_sock (ctx, ZMQ_PUSH);
    CHECK_OK (zmq_connect (client, "inproc://fe"));
    void *worker = new_sock (ctx, ZMQ_PULL);
    CHECK_OK (zmq_connect (worker, "inproc://be"));

    void *thread = zmq_threadstart (run_steerable, &p);

    /*  Forwarding, multipart kept together, copies on the capture socket.  */
    SEND_STR (client, "job-1", 0);
    SEND_STR (client, "job-2", ZMQ_SNDMORE);
    SEND_STR (client, "part-b", 0);
    RECV_STR (worker, "job-1", 0);
    RECV_STR (worker, "job-2", 1);
    RECV_STR (worker, "part-b", 0);
    RECV_STR (cap, "job-1", 0);
    RECV_STR (cap, "job-2", 1);
    RECV_STR (cap, "part-b", 0);

    /*  A multipart message counts once; bytes are summed over its parts.   */
    uint64_t st[8];
    statistics (ctl, st);
    CHECK_EQ (st[0], 2);  /* frontend messages in */
    CHECK_EQ (st[1], 16); /* frontend bytes in: 5 + 5 + 6 */
    CHECK_EQ (st[2], 0);  /* frontend messages out */
    CHECK_EQ (st[3], 0);
    CHECK_EQ (st[4], 0);  /* backend messages in */
    CHECK_EQ (st[5], 0);
    CHECK_EQ (st[6], 2);  /* backend messages out */
    CHECK_EQ (st[7], 16);

    /*  PAUSE: nothing is forwarded; the STATISTICS reply proves the proxy
        has read the PAUSE before the client's message is sent.            */
    SEND_STR (ctl, "PAUSE", 0);
    statistics (ctl, st);
    SEND_STR (client, "held", 0);
    set_int (worker, ZMQ_RCVTIMEO, 200);
    char buf[16];
    CHECK_ERR (zmq_recv (worker, buf, sizeof buf, 0), EAGAIN);
    SEND_STR (ctl, "RESUME", 0);
    set_int (worker, ZMQ_RCVTIMEO, -1);
    RECV_STR (worker, "held", 0);
    /*  The capture socket also gets a copy of every control command.       */
    RECV_STR (cap, "STATISTICS", 0);
    RECV_STR (cap, "PAUSE", 0);
    RECV_STR (cap, "STATISTICS", 0);
    RECV_STR (cap, "RESUME", 0);
    RECV_STR (cap, "held", 0);

    SEND_STR (ctl, "TERMINATE", 0);
    zmq_threadclose (thread);
    CHECK_EQ (p.rc, 0);

    close_zero_linger (p.frontend);
    close_zero_linger (p.backend);
    close_zero_linger (p.capture);
    close_zero_linger (p.control);
    close_zero_linger (ctl);
    close_zero_linger (cap);
    close_zero_linger (client);
    close_zero_linger (worker);
    CHECK_OK (zmq_ctx_term (ctx));
}

typedef struct
{
    void *ctx;
    int served;
} worker_args_t;

static void rep_worker (void *arg)
{
    worker_args_t *w = arg;
    void *rep = zmq_socket (w->ctx, ZMQ_REP);
    zmq_connect (rep, "inproc://broker-be");
    char buf[32];
    int n;
    while ((n = zmq_recv (rep, buf, sizeof buf - 1, 0)) >= 0) {
        buf[n] = 0;
        char reply[48];
        int len = snprintf (reply, sizeof reply, "re:%s", buf);
        if (zmq_send (rep, reply, len, 0) == -1)
            break;
        w->served++;
    }
    zmq_close (rep);
}

static void broker_until_term (void)
{
    void *ctx = zmq_ctx_new ();
    proxy_args_t p = {new_sock (ctx, ZMQ_ROUTER), new_sock (ctx, ZMQ_DEALER),
                      NULL, NULL, 0, 0};
    CHECK_OK (zmq_bind (p.frontend, "inproc://broker-fe"));
    CHECK_OK (zmq_bind (p.backend, "inproc://broker-be"));
    void *proxy_thread = zmq_threadstart (run_proxy_and_close, &p);
    worker_args_t w[2] = {{ctx, 0}, {ctx, 0}};
    void *workers[2];
    for (int i = 0; i < 2; i++)
        workers[i] = zmq_threadstart (rep_worker, &w[i]);

    void *clients[3];
    for (int i = 0; i < 3; i++) {
        clients[i] = new_sock (ctx, ZMQ_REQ);
        CHECK_OK (zmq_connect (clients[i], "inproc://broker-fe"));
    }
    for (int round = 0; round < 10; round++) {
        for (int i = 0; i < 3; i++) {
            char req[16];
            snprintf (req, sizeof req, "c%d-r%d", i, round);
            SEND_STR (clients[i], req, 0);
        }
        for (int i = 0; i < 3; i++) {
            char want[24];
            snprintf (want, sizeof want, "re:c%d-r%d", i, round);
            RECV_STR (clients[i], want, 0);
        }
    }
    for (int i = 0; i < 3; i++)
        close_zero_linger (clients[i]);
    /*  Terminating the context stops the proxy (ETERM) and the workers.    */
    CHECK_OK (zmq_ctx_term (ctx));
    zmq_threadclose (proxy_thread);
    for (int i = 0; i < 2; i++)
        zmq_threadclose (workers[i]);
    CHECK_EQ (p.rc, -1);
    CHECK_EQ (p.err, ETERM);
    CHECK_EQ (w[0].served + w[1].served, 30);
}

int main (void)
{
    RUN_CASE (steerable);
    RUN_CASE (broker_until_term);
    return testutil_summary ();
}
