/*  Context termination: zmq_ctx_term in one thread interrupts blocking
    calls in others with ETERM, and returns only after every socket is
    closed. zmq_ctx_shutdown interrupts without waiting.                    */
#include "testutil.h"

#include <stdatomic.h>

typedef struct
{
    void *ctx;
    int rc;
    int err;
    atomic_int done;
} terminator_t;

static void terminate (void *arg)
{
    terminator_t *t = arg;
    sleep_ms (100);
    t->rc = zmq_ctx_term (t->ctx);
    t->err = t->rc == -1 ? zmq_errno () : 0;
    atomic_store (&t->done, 1);
}

static void shutdown_ctx (void *arg)
{
    terminator_t *t = arg;
    sleep_ms (100);
    t->rc = zmq_ctx_shutdown (t->ctx);
    atomic_store (&t->done, 1);
}

static void term_interrupts_recv (void)
{
    void *ctx = zmq_ctx_new ();
    void *s = zmq_socket (ctx, ZMQ_PULL);
    CHECK_OK (zmq_bind (s, "inproc://term-recv"));
    terminator_t t = {ctx, 0, 0, 0};
    void *thread = zmq_threadstart (terminate, &t);
    char buf[8];
    int64_t t0 = now_ms ();
    CHECK_ERR (zmq_recv (s, buf, sizeof buf, 0), ETERM);
    CHECK (now_ms () - t0 >= 80);
    /*  Further calls on the socket fail the same way.                       */
    CHECK_ERR (zmq_recv (s, buf, sizeof buf, ZMQ_DONTWAIT), ETERM);
    CHECK_ERR (zmq_connect (s, "inproc://x"), ETERM);
    /*  zmq_ctx_term cannot have returned: the socket is still open.        */
    sleep_ms (50);
    CHECK_EQ (atomic_load (&t.done), 0);
    CHECK_OK (zmq_close (s));
    zmq_threadclose (thread);
    CHECK_EQ (atomic_load (&t.done), 1);
    CHECK_EQ (t.rc, 0);
}

static void term_interrupts_send (void)
{
    void *ctx = zmq_ctx_new ();
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    set_int (push, ZMQ_SNDHWM, 1);
    set_int (pull, ZMQ_RCVHWM, 1);
    set_int (push, ZMQ_LINGER, 0);
    CHECK_OK (zmq_bind (pull, "inproc://term-send"));
    CHECK_OK (zmq_connect (push, "inproc://term-send"));
    CHECK_EQ (zmq_send (push, "a", 1, 0), 1);
    CHECK_EQ (zmq_send (push, "b", 1, 0), 1);
    terminator_t t = {ctx, 0, 0, 0};
    void *thread = zmq_threadstart (terminate, &t);
    CHECK_ERR (zmq_send (push, "c", 1, 0), ETERM);
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
    zmq_threadclose (thread);
    CHECK_EQ (t.rc, 0);
}

static void term_interrupts_poll (void)
{
    void *ctx = zmq_ctx_new ();
    void *s = zmq_socket (ctx, ZMQ_SUB);
    CHECK_OK (zmq_connect (s, "inproc://nobody-binds"));
    terminator_t t = {ctx, 0, 0, 0};
    void *thread = zmq_threadstart (terminate, &t);
    zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
    CHECK_ERR (zmq_poll (&item, 1, -1), ETERM);
    CHECK_OK (zmq_close (s));
    zmq_threadclose (thread);
    CHECK_EQ (t.rc, 0);
}

static void term_interrupts_many (void)
{
    /*  Several threads blocked on several sockets all get ETERM.           */
    enum { N = 4 };
    void *ctx = zmq_ctx_new ();
    void *socks[N];
    for (int i = 0; i < N; i++) {
        socks[i] = zmq_socket (ctx, i % 2 ? ZMQ_REP : ZMQ_DEALER);
        CHECK_PTR (socks[i]);
    }
    terminator_t t = {ctx, 0, 0, 0};
    void *thread = zmq_threadstart (terminate, &t);
    for (int i = 0; i < N; i++) {
        char buf[4];
        CHECK_ERR (zmq_recv (socks[i], buf, sizeof buf, 0), ETERM);
        CHECK_OK (zmq_close (socks[i]));
    }
    zmq_threadclose (thread);
    CHECK_EQ (t.rc, 0);
}

static void shutdown_interrupts (void)
{
    void *ctx = zmq_ctx_new ();
    void *s = zmq_socket (ctx, ZMQ_REP);
    CHECK_OK (zmq_bind (s, "inproc://shutdown"));
    terminator_t t = {ctx, 0, 0, 0};
    void *thread = zmq_threadstart (shutdown_ctx, &t);
    char buf[4];
    CHECK_ERR (zmq_recv (s, buf, sizeof buf, 0), ETERM);
    zmq_threadclose (thread);
    /*  zmq_ctx_shutdown returned without waiting for the close.            */
    CHECK_EQ (atomic_load (&t.done), 1);
    CHECK_EQ (t.rc, 0);
    CHECK_OK (zmq_close (s));
    CHECK_OK (zmq_ctx_term (ctx));
}

static void term_with_pending_linger (void)
{
    /*  Unsent inproc messages do not hold zmq_ctx_term up, whatever the
        linger: the pipe is the queue and dies with both sockets.          */
    void *ctx = zmq_ctx_new ();
    void *a = zmq_socket (ctx, ZMQ_PAIR), *b = zmq_socket (ctx, ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, "inproc://pending"));
    CHECK_OK (zmq_connect (b, "inproc://pending"));
    for (int i = 0; i < 10; i++)
        SEND_STR (b, "unread", 0);
    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_close (b));
    int64_t t0 = now_ms ();
    CHECK_OK (zmq_ctx_term (ctx));
    CHECK (now_ms () - t0 < 5000);
}

int main (void)
{
    RUN_CASE (term_interrupts_recv);
    RUN_CASE (term_interrupts_send);
    RUN_CASE (term_interrupts_poll);
    RUN_CASE (term_interrupts_many);
    RUN_CASE (shutdown_interrupts);
    RUN_CASE (term_with_pending_linger);
    return testutil_summary ();
}
