/*  Context options (zmq_ctx_get/zmq_ctx_set), their errors, the socket
    limit, and zmq_ctx_shutdown.                                             */
#include "testutil.h"

static void defaults (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK_PTR (ctx);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IO_THREADS), ZMQ_IO_THREADS_DFLT);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IO_THREADS), 1);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MAX_SOCKETS), ZMQ_MAX_SOCKETS_DFLT);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MAX_SOCKETS), 1023);
    /*  libzmq on Linux (epoll): clipped_maxsocket (65535).                  */
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_SOCKET_LIMIT), 65535);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IPV6), 0);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_BLOCKY), 1);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MAX_MSGSZ), 2147483647);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MSG_T_SIZE), 64);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MSG_T_SIZE), (int) sizeof (zmq_msg_t));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_THREAD_SCHED_POLICY),
              ZMQ_THREAD_SCHED_POLICY_DFLT);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void set_and_get (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_IO_THREADS, 2));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IO_THREADS), 2);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_IO_THREADS, 0));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IO_THREADS), 0);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, 10));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MAX_SOCKETS), 10);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_IPV6, 1));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IPV6), 1);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_IPV6, 7));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IPV6), 1);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_BLOCKY, 0));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_BLOCKY), 0);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_MAX_MSGSZ, 4096));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MAX_MSGSZ), 4096);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_THREAD_SCHED_POLICY, 0));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_THREAD_SCHED_POLICY), 0);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_THREAD_PRIORITY, 0));
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_THREAD_NAME_PREFIX, 42));
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_THREAD_NAME_PREFIX), 42);
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_THREAD_AFFINITY_CPU_ADD, 0));
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_THREAD_AFFINITY_CPU_REMOVE, 0));
    /*  Removing a CPU that is not in the set fails.                         */
    CHECK_ERR (zmq_ctx_set (ctx, ZMQ_THREAD_AFFINITY_CPU_REMOVE, 0), EINVAL);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void invalid (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK_ERR (zmq_ctx_set (ctx, ZMQ_IO_THREADS, -1), EINVAL);
    CHECK_ERR (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, 0), EINVAL);
    CHECK_ERR (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, -5), EINVAL);
    CHECK_ERR (zmq_ctx_set (ctx, ZMQ_IPV6, -1), EINVAL);
    CHECK_ERR (zmq_ctx_set (ctx, ZMQ_BLOCKY, -1), EINVAL);
    CHECK_ERR (zmq_ctx_set (ctx, ZMQ_MAX_MSGSZ, -1), EINVAL);
    CHECK_ERR (zmq_ctx_set (ctx, ZMQ_THREAD_PRIORITY, -1), EINVAL);
    CHECK_ERR (zmq_ctx_set (ctx, ZMQ_THREAD_SCHED_POLICY, -1), EINVAL);
    CHECK_ERR (zmq_ctx_set (ctx, 9999, 1), EINVAL);
    CHECK_ERR (zmq_ctx_get (ctx, 9999), EINVAL);
    /*  A read-only option cannot be set. (ZMQ_SOCKET_LIMIT cannot be tested
        this way: it shares the number 3 with ZMQ_THREAD_PRIORITY.)          */
    CHECK_ERR (zmq_ctx_set (ctx, ZMQ_MSG_T_SIZE, 64), EINVAL);
    /*  Values are unchanged by failed calls.                                */
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IO_THREADS), 1);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_MAX_SOCKETS), 1023);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IPV6), 0);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void max_sockets (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK_OK (zmq_ctx_set (ctx, ZMQ_MAX_SOCKETS, 2));
    void *a = zmq_socket (ctx, ZMQ_PAIR);
    CHECK_PTR (a);
    void *b = zmq_socket (ctx, ZMQ_PAIR);
    CHECK_PTR (b);
    CHECK (zmq_socket (ctx, ZMQ_PAIR) == NULL);
    CHECK_EQ (zmq_errno (), EMFILE);
    /*  Closing one frees its slot; libzmq frees it once the reaper thread has
        destroyed the socket, so allow that a moment.                        */
    CHECK_OK (zmq_close (b));
    void *c = NULL;
    int64_t deadline = now_ms () + 5000;
    while ((c = zmq_socket (ctx, ZMQ_PUSH)) == NULL && now_ms () < deadline) {
        CHECK_EQ (zmq_errno (), EMFILE);
        sleep_ms (1);
    }
    CHECK_PTR (c);
    CHECK_OK (zmq_close (a));
    CHECK_OK (zmq_close (c));
    CHECK_OK (zmq_ctx_term (ctx));
}

static void shutdown_then_socket (void)
{
    void *ctx = zmq_ctx_new ();
    void *s = zmq_socket (ctx, ZMQ_PULL);
    CHECK_PTR (s);
    CHECK_OK (zmq_ctx_shutdown (ctx));
    /*  No new sockets; the existing one reports ETERM.                     */
    CHECK (zmq_socket (ctx, ZMQ_PUSH) == NULL);
    CHECK_EQ (zmq_errno (), ETERM);
    char buf[4];
    CHECK_ERR (zmq_recv (s, buf, sizeof buf, 0), ETERM);
    CHECK_ERR (zmq_bind (s, "inproc://after-shutdown"), ETERM);
    CHECK_OK (zmq_close (s));
    CHECK_OK (zmq_ctx_term (ctx));
}

static void shutdown_without_sockets (void)
{
    /*  Shutdown of a context that never had a socket, then term.           */
    void *ctx = zmq_ctx_new ();
    CHECK_OK (zmq_ctx_shutdown (ctx));
    CHECK_OK (zmq_ctx_term (ctx));
    /*  zmq_ctx_destroy is zmq_ctx_term's old name.                          */
    ctx = zmq_ctx_new ();
    void *s = zmq_socket (ctx, ZMQ_DEALER);
    CHECK_OK (zmq_close (s));
    CHECK_OK (zmq_ctx_destroy (ctx));
}

static void many_contexts (void)
{
    /*  Contexts are independent: the same inproc name in each.             */
    enum { N = 16 };
    void *ctx[N], *srv[N], *cli[N];
    for (int i = 0; i < N; i++) {
        ctx[i] = zmq_ctx_new ();
        CHECK_PTR (ctx[i]);
        srv[i] = zmq_socket (ctx[i], ZMQ_PAIR);
        cli[i] = zmq_socket (ctx[i], ZMQ_PAIR);
        CHECK_OK (zmq_bind (srv[i], "inproc://same-name"));
        CHECK_OK (zmq_connect (cli[i], "inproc://same-name"));
    }
    for (int i = 0; i < N; i++)
        CHECK_EQ (zmq_send (cli[i], &i, sizeof i, 0), (int) sizeof i);
    for (int i = 0; i < N; i++) {
        int got = -1;
        CHECK_EQ (zmq_recv (srv[i], &got, sizeof got, 0), (int) sizeof got);
        CHECK_EQ (got, i);
        CHECK_ERR (zmq_recv (srv[i], &got, sizeof got, ZMQ_DONTWAIT), EAGAIN);
    }
    for (int i = 0; i < N; i++) {
        CHECK_OK (zmq_close (srv[i]));
        CHECK_OK (zmq_close (cli[i]));
        CHECK_OK (zmq_ctx_term (ctx[i]));
    }
}

int main (void)
{
    RUN_CASE (defaults);
    RUN_CASE (set_and_get);
    RUN_CASE (invalid);
    RUN_CASE (max_sockets);
    RUN_CASE (shutdown_then_socket);
    RUN_CASE (shutdown_without_sockets);
    RUN_CASE (many_contexts);
    return testutil_summary ();
}
