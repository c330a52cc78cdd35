/*  zmq_msg_t: init variants, the free function of zmq_msg_init_data (called
    exactly once, wherever the last reference dies), copy, move, properties. */
#include "testutil.h"

#include <stdatomic.h>

/*  The free function records every call.                                   */
static atomic_int free_calls;
static void *volatile freed_data;
static void *volatile freed_hint;

static void counting_free (void *data, void *hint)
{
    freed_data = data;
    freed_hint = hint;
    atomic_fetch_add (&free_calls, 1);
    free (data);
}

static char hint_token;

static void *make_buffer (const char *content, size_t *size)
{
    *size = strlen (content);
    char *buf = malloc (*size);
    CHECK (buf != NULL);
    memcpy (buf, content, *size);
    return buf;
}

/*  A PAIR pair over inproc in a fresh context.                             */
typedef struct
{
    void *ctx, *a, *b;
} pair_t;

static pair_t make_pair (const char *endpoint)
{
    pair_t p;
    p.ctx = zmq_ctx_new ();
    CHECK_PTR (p.ctx);
    p.a = zmq_socket (p.ctx, ZMQ_PAIR);
    p.b = zmq_socket (p.ctx, ZMQ_PAIR);
    CHECK_PTR (p.a);
    CHECK_PTR (p.b);
    CHECK_OK (zmq_bind (p.a, endpoint));
    CHECK_OK (zmq_connect (p.b, endpoint));
    return p;
}

static void close_pair (pair_t *p)
{
    CHECK_OK (zmq_close (p->a));
    CHECK_OK (zmq_close (p->b));
    CHECK_OK (zmq_ctx_term (p->ctx));
}

static void sizes (void)
{
    CHECK_EQ (sizeof (zmq_msg_t), 64);
    CHECK (_Alignof (zmq_msg_t) >= _Alignof (void *));
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init (&m));
    CHECK_EQ (zmq_msg_size (&m), 0);
    CHECK_EQ (zmq_msg_more (&m), 0);
    CHECK_OK (zmq_msg_close (&m));

    size_t sizes[] = {0, 1, 29, 33, 34, 100, 65536, 1 << 20};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        CHECK_OK (zmq_msg_init_size (&m, sizes[i]));
        CHECK_EQ (zmq_msg_size (&m), sizes[i]);
        if (sizes[i] > 0) {
            unsigned char *d = zmq_msg_data (&m);
            CHECK (d != NULL);
            memset (d, 0xab, sizes[i]);
            CHECK_EQ (d[sizes[i] - 1], 0xab);
        }
        CHECK_OK (zmq_msg_close (&m));
    }
}

static void init_data_close (void)
{
    size_t n;
    void *buf = make_buffer ("zero-copy body", &n);
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init_data (&m, buf, n, counting_free, &hint_token));
    CHECK (zmq_msg_data (&m) == buf);
    CHECK_EQ (zmq_msg_size (&m), n);
    CHECK_EQ (atomic_load (&free_calls), 0);
    CHECK_OK (zmq_msg_close (&m));
    CHECK_EQ (atomic_load (&free_calls), 1);
    CHECK (freed_data == buf);
    CHECK (freed_hint == &hint_token);
    /*  A closed message is no message.                                      */
    CHECK_ERR (zmq_msg_close (&m), EFAULT);
    CHECK_EQ (atomic_load (&free_calls), 1);

    /*  No free function: the buffer stays the caller's.                     */
    static char fixed[] = "static data";
    CHECK_OK (zmq_msg_init_data (&m, fixed, sizeof fixed, NULL, NULL));
    CHECK (zmq_msg_data (&m) == fixed);
    CHECK_EQ (zmq_msg_size (&m), sizeof fixed);
    /*  libzmq reports a constant (no free function) body as shared.         */
    CHECK_EQ (zmq_msg_get (&m, ZMQ_SHARED), 1);
    CHECK_OK (zmq_msg_close (&m));
    CHECK_STR (fixed, "static data");
}

static void copy_shares (void)
{
    size_t n;
    void *buf = make_buffer ("shared body", &n);
    zmq_msg_t a, b;
    CHECK_OK (zmq_msg_init_data (&a, buf, n, counting_free, NULL));
    CHECK_EQ (zmq_msg_get (&a, ZMQ_SHARED), 0);
    CHECK_OK (zmq_msg_init (&b));
    CHECK_OK (zmq_msg_copy (&b, &a));
    CHECK_EQ (zmq_msg_get (&a, ZMQ_SHARED), 1);
    CHECK_EQ (zmq_msg_get (&b, ZMQ_SHARED), 1);
    CHECK (zmq_msg_data (&b) == buf);
    CHECK_EQ (zmq_msg_size (&b), n);
    CHECK_OK (zmq_msg_close (&a));
    CHECK_EQ (atomic_load (&free_calls), 0);
    CHECK_EQ (memcmp (zmq_msg_data (&b), "shared body", n), 0);
    CHECK_OK (zmq_msg_close (&b));
    CHECK_EQ (atomic_load (&free_calls), 1);

    /*  A large (heap) message is shared by reference too.                   */
    CHECK_OK (zmq_msg_init_size (&a, 1000));
    memset (zmq_msg_data (&a), 'x', 1000);
    CHECK_OK (zmq_msg_init (&b));
    CHECK_OK (zmq_msg_copy (&b, &a));
    CHECK (zmq_msg_data (&a) == zmq_msg_data (&b));
    CHECK_EQ (zmq_msg_get (&b, ZMQ_SHARED), 1);
    CHECK_OK (zmq_msg_close (&a));
    CHECK_EQ (((char *) zmq_msg_data (&b))[999], 'x');
    CHECK_OK (zmq_msg_close (&b));

    /*  A small one is copied by value.                                      */
    CHECK_OK (zmq_msg_init_size (&a, 5));
    memcpy (zmq_msg_data (&a), "small", 5);
    CHECK_OK (zmq_msg_init (&b));
    CHECK_OK (zmq_msg_copy (&b, &a));
    CHECK_EQ (zmq_msg_size (&b), 5);
    CHECK_EQ (memcmp (zmq_msg_data (&b), "small", 5), 0);
    CHECK_OK (zmq_msg_close (&a));
    CHECK_OK (zmq_msg_close (&b));
}

static void copy_and_move_release_destination (void)
{
    size_t n;
    void *buf = make_buffer ("old destination", &n);
    zmq_msg_t dst, src;
    CHECK_OK (zmq_msg_init_data (&dst, buf, n, counting_free, NULL));
    CHECK_OK (zmq_msg_init_size (&src, 3));
    memcpy (zmq_msg_data (&src), "new", 3);
    /*  The destination's old content is released by copy.                   */
    CHECK_OK (zmq_msg_copy (&dst, &src));
    CHECK_EQ (atomic_load (&free_calls), 1);
    CHECK_EQ (zmq_msg_size (&dst), 3);
    CHECK_OK (zmq_msg_close (&dst));

    /*  ... and by move, which leaves the source empty.                      */
    buf = make_buffer ("old destination 2", &n);
    CHECK_OK (zmq_msg_init_data (&dst, buf, n, counting_free, NULL));
    CHECK_OK (zmq_msg_move (&dst, &src));
    CHECK_EQ (atomic_load (&free_calls), 2);
    CHECK_EQ (zmq_msg_size (&dst), 3);
    CHECK_EQ (memcmp (zmq_msg_data (&dst), "new", 3), 0);
    CHECK_EQ (zmq_msg_size (&src), 0);
    CHECK_OK (zmq_msg_close (&src));
    CHECK_OK (zmq_msg_close (&dst));
}

static void move_keeps_one_owner (void)
{
    size_t n;
    void *buf = make_buffer ("moved body", &n);
    zmq_msg_t a, b;
    CHECK_OK (zmq_msg_init_data (&a, buf, n, counting_free, NULL));
    CHECK_OK (zmq_msg_init (&b));
    CHECK_OK (zmq_msg_move (&b, &a));
    CHECK_EQ (zmq_msg_size (&a), 0);
    CHECK (zmq_msg_data (&b) == buf);
    CHECK_EQ (zmq_msg_get (&b, ZMQ_SHARED), 0);
    CHECK_OK (zmq_msg_close (&a));
    CHECK_EQ (atomic_load (&free_calls), 0);
    CHECK_OK (zmq_msg_close (&b));
    CHECK_EQ (atomic_load (&free_calls), 1);
}

static void properties (void)
{
    pair_t p = make_pair ("inproc://msg-props");
    CHECK_EQ (zmq_send (p.a, "one", 3, ZMQ_SNDMORE), 3);
    CHECK_EQ (zmq_send (p.a, "two", 3, 0), 3);
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init (&m));
    CHECK_EQ (zmq_msg_recv (&m, p.b, 0), 3);
    CHECK_EQ (zmq_msg_more (&m), 1);
    CHECK_EQ (zmq_msg_get (&m, ZMQ_MORE), 1);
    CHECK_EQ (get_int (p.b, ZMQ_RCVMORE), 1);
    CHECK_EQ (zmq_msg_recv (&m, p.b, 0), 3);
    CHECK_EQ (memcmp (zmq_msg_data (&m), "two", 3), 0);
    CHECK_EQ (zmq_msg_more (&m), 0);
    CHECK_EQ (zmq_msg_get (&m, ZMQ_MORE), 0);
    CHECK_EQ (get_int (p.b, ZMQ_RCVMORE), 0);
    CHECK_ERR (zmq_msg_get (&m, 9999), EINVAL);
    /*  Nothing can be set through zmq_msg_set in libzmq 4.3.                */
    CHECK_ERR (zmq_msg_set (&m, ZMQ_MORE, 1), EINVAL);
    CHECK_ERR (zmq_msg_set (&m, ZMQ_SHARED, 1), EINVAL);
    /*  An inproc message carries no metadata.                              */
    CHECK (zmq_msg_gets (&m, "Socket-Type") == NULL);
    CHECK_EQ (zmq_errno (), EINVAL);
    CHECK (zmq_msg_gets (&m, "no-such-property") == NULL);
    CHECK_EQ (zmq_errno (), EINVAL);
    CHECK_OK (zmq_msg_close (&m));
    close_pair (&p);
}

static void send_consumes_message (void)
{
    pair_t p = make_pair ("inproc://msg-send");
    size_t n;
    void *buf = make_buffer ("sent body", &n);
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init_data (&m, buf, n, counting_free, NULL));
    CHECK_EQ (zmq_msg_send (&m, p.a, 0), (int) n);
    /*  The message was handed over: m is empty, the buffer is in flight.   */
    CHECK_EQ (zmq_msg_size (&m), 0);
    CHECK_OK (zmq_msg_close (&m));
    CHECK_EQ (atomic_load (&free_calls), 0);

    /*  Receiving into a message releases what it held before.               */
    zmq_msg_t r;
    void *old = make_buffer ("previous content", &n);
    CHECK_OK (zmq_msg_init_data (&r, old, n, counting_free, NULL));
    CHECK_EQ (zmq_msg_recv (&r, p.b, 0), (int) strlen ("sent body"));
    CHECK_EQ (atomic_load (&free_calls), 1);
    CHECK (freed_data == old);
    /*  inproc is zero-copy: the receiver sees the sender's buffer.          */
    CHECK (zmq_msg_data (&r) == buf);
    CHECK_EQ (memcmp (zmq_msg_data (&r), "sent body", 9), 0);
    CHECK_OK (zmq_msg_close (&r));
    CHECK_EQ (atomic_load (&free_calls), 2);
    CHECK (freed_data == buf);
    close_pair (&p);
}

/*  The receiver thread of free_on_other_thread.                            */
typedef struct
{
    void *sock;
    void *expect_data;
    int free_calls_before_close;
    int free_calls_after_close;
    int ok;
} receiver_t;

static void receiver (void *arg)
{
    receiver_t *r = arg;
    zmq_msg_t m;
    zmq_msg_init (&m);
    if (zmq_msg_recv (&m, r->sock, 0) == 11
        && memcmp (zmq_msg_data (&m), "cross-10-ok", 11) == 0)
        r->ok = 1;
    r->free_calls_before_close = atomic_load (&free_calls);
    zmq_msg_close (&m);
    r->free_calls_after_close = atomic_load (&free_calls);
}

static void free_on_other_thread (void)
{
    pair_t p = make_pair ("inproc://msg-thread");
    receiver_t r = {p.b, NULL, -1, -1, 0};
    size_t n;
    void *buf = make_buffer ("cross-10-ok", &n);
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init_data (&m, buf, n, counting_free, &hint_token));
    CHECK_EQ (zmq_msg_send (&m, p.a, 0), (int) n);
    CHECK_OK (zmq_msg_close (&m));
    CHECK_EQ (atomic_load (&free_calls), 0);
    void *thread = zmq_threadstart (receiver, &r);
    CHECK (thread != NULL);
    zmq_threadclose (thread);
    CHECK_EQ (r.ok, 1);
    CHECK_EQ (r.free_calls_before_close, 0);
    CHECK_EQ (r.free_calls_after_close, 1);
    CHECK_EQ (atomic_load (&free_calls), 1);
    CHECK (freed_data == buf);
    CHECK (freed_hint == &hint_token);
    close_pair (&p);
    CHECK_EQ (atomic_load (&free_calls), 1);
}

static void free_on_term_when_undelivered (void)
{
    /*  Messages still queued when the sockets close are released once,     */
    /*  by the time zmq_ctx_term returns.                                    */
    pair_t p = make_pair ("inproc://msg-undelivered");
    for (int i = 0; i < 3; i++) {
        size_t n;
        void *buf = make_buffer ("never read", &n);
        zmq_msg_t m;
        CHECK_OK (zmq_msg_init_data (&m, buf, n, counting_free, NULL));
        CHECK_EQ (zmq_msg_send (&m, p.a, 0), (int) n);
        CHECK_OK (zmq_msg_close (&m));
    }
    CHECK_EQ (atomic_load (&free_calls), 0);
    set_int (p.a, ZMQ_LINGER, 0);
    close_pair (&p);
    CHECK_EQ (atomic_load (&free_calls), 3);
}

static void recv_truncates (void)
{
    pair_t p = make_pair ("inproc://msg-trunc");
    SEND_STR (p.a, "0123456789", 0);
    char buf[4] = {0};
    /*  zmq_recv returns the full size and fills what fits.                  */
    CHECK_EQ (zmq_recv (p.b, buf, sizeof buf, 0), 10);
    CHECK_EQ (memcmp (buf, "0123", 4), 0);
    /*  zmq_send_const: the buffer is the caller's and must stay valid.      */
    static const char constant[] = "constant";
    CHECK_EQ (zmq_send_const (p.a, constant, 8, 0), 8);
    RECV_STR (p.b, "constant", 0);
    /*  Received as a message, it is the caller's buffer itself (inproc is
        zero-copy), and libzmq reports a constant body as shared.          */
    CHECK_EQ (zmq_send_const (p.a, constant, 8, 0), 8);
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init (&m));
    CHECK_EQ (zmq_msg_recv (&m, p.b, 0), 8);
    CHECK (zmq_msg_data (&m) == constant);
    CHECK_EQ (zmq_msg_get (&m, ZMQ_SHARED), 1);
    CHECK_OK (zmq_msg_close (&m));
    /*  A zero-length frame.                                                  */
    CHECK_EQ (zmq_send (p.a, NULL, 0, 0), 0);
    CHECK_EQ (zmq_recv (p.b, buf, sizeof buf, 0), 0);
    close_pair (&p);
}

int main (void)
{
    RUN_CASE (sizes);
    RUN_CASE (init_data_close);
    RUN_CASE (copy_shares);
    RUN_CASE (copy_and_move_release_destination);
    RUN_CASE (move_keeps_one_owner);
    RUN_CASE (properties);
    RUN_CASE (send_consumes_message);
    RUN_CASE (free_on_other_thread);
    RUN_CASE (free_on_term_when_undelivered);
    RUN_CASE (recv_truncates);
    return testutil_summary ();
}
