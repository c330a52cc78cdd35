/*  Context termination: zmq_ctx_term in one thread interrupts blocking
    calls in others with ETERM, and returns only after every socket is
    closed. zmq_ctx_shutdown interrupts without waiting.                    */
#include "testutil.h"

#include <stdatomic.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

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

/*  A tcp listener that completes the kernel's handshake but never speaks
    ZMTP: a connection to it stays in the ZMTP handshake. Returns the fd;
    the port goes to *port.                                                 */
static int silent_listener (int *port)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    CHECK (fd >= 0);
    struct sockaddr_in a;
    memset (&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    CHECK (bind (fd, (struct sockaddr *) &a, sizeof a) == 0);
    CHECK (listen (fd, 8) == 0);
    socklen_t len = sizeof a;
    CHECK (getsockname (fd, (struct sockaddr *) &a, &len) == 0);
    *port = ntohs (a.sin_port);
    return fd;
}

static void term_after_linger_ends_mid_handshake (void)
{
    /*  The last connection of an io thread ends by its linger timer while
        its (far later) handshake timer is still set: zmq_ctx_term returns
        when linger ends, not when the handshake would have timed out.
        (The handshake interval is an hour: a stall is a hang.)           */
    int port;
    int raw = silent_listener (&port);
    void *ctx = zmq_ctx_new ();
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    set_int (push, ZMQ_LINGER, 100);
    set_int (push, ZMQ_HANDSHAKE_IVL, 3600 * 1000);
    char ep[64];
    snprintf (ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    CHECK_OK (zmq_connect (push, ep));
    SEND_STR (push, "never delivered", 0);
    sleep_ms (50);
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_ctx_term (ctx));
    close (raw);
}

/*  The reported mix: in two contexts, threads blocked in zmq_send and
    zmq_recv on tcp PUSH/PULL pairs (linger 0 and 100 ms) and on inproc
    pairs, each thread closing its socket on ETERM, while the main thread
    terminates both contexts, often while handshakes are still running.   */
typedef struct
{
    void *sock;
    int sending;
} blocked_t;

static void *block_until_eterm (void *arg)
{
    blocked_t *b = arg;
    char buf[64] = {0};
    for (;;) {
        int rc = b->sending ? zmq_send (b->sock, buf, sizeof buf, 0)
                            : zmq_recv (b->sock, buf, sizeof buf, 0);
        if (rc == -1 && zmq_errno () == ETERM)
            break;
    }
    CHECK_OK (zmq_close (b->sock));
    return NULL;
}

enum { MIX_THREADS = 8 };

static void start_mix (void *ctx, blocked_t *b, pthread_t *th, int ctx_no)
{
    int n = 0;
    for (int i = 0; i < 2; i++) {
        int linger = i == 0 ? 0 : 100;
        void *pull = zmq_socket (ctx, ZMQ_PULL);
        void *push = zmq_socket (ctx, ZMQ_PUSH);
        set_int (pull, ZMQ_LINGER, linger);
        set_int (push, ZMQ_LINGER, linger);
        CHECK_OK (zmq_bind (pull, "tcp://127.0.0.1:*"));
        char ep[256];
        size_t len = sizeof ep;
        CHECK_OK (zmq_getsockopt (pull, ZMQ_LAST_ENDPOINT, ep, &len));
        CHECK_OK (zmq_connect (push, ep));
        b[n++] = (blocked_t){pull, 0};
        b[n++] = (blocked_t){push, 1};
    }
    for (int i = 0; i < 2; i++) {
        char name[64];
        snprintf (name, sizeof name, "inproc://mix-%d-%d", ctx_no, i);
        void *a = zmq_socket (ctx, ZMQ_PUSH);
        void *z = zmq_socket (ctx, ZMQ_PULL);
        CHECK_OK (zmq_bind (a, name));
        CHECK_OK (zmq_connect (z, name));
        b[n++] = (blocked_t){a, 1};
        b[n++] = (blocked_t){z, 0};
    }
    CHECK_EQ (n, MIX_THREADS);
    for (int i = 0; i < n; i++)
        CHECK (pthread_create (&th[i], NULL, block_until_eterm, &b[i]) == 0);
}

static void term_mix_of_blocked_threads (void)
{
    for (int round = 0; round < 20; round++) {
        void *ctx[2];
        blocked_t b[2][MIX_THREADS];
        pthread_t th[2][MIX_THREADS];
        for (int c = 0; c < 2; c++) {
            ctx[c] = zmq_ctx_new ();
            start_mix (ctx[c], b[c], th[c], c);
        }
        sleep_ms (round % 3);
        for (int c = 0; c < 2; c++)
            CHECK_OK (zmq_ctx_term (ctx[c]));
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < MIX_THREADS; i++)
                pthread_join (th[c][i], NULL);
    }
}

int main (void)
{
    RUN_CASE (term_interrupts_recv);
    RUN_CASE (term_interrupts_send);
    RUN_CASE (term_interrupts_poll);
    RUN_CASE (term_interrupts_many);
    RUN_CASE (shutdown_interrupts);
    RUN_CASE (term_with_pending_linger);
    RUN_CASE (term_after_linger_ends_mid_handshake);
    RUN_CASE (term_mix_of_blocked_threads);
    return testutil_summary ();
}
