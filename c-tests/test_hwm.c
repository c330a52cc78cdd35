/*  High-water marks and timeouts over inproc. On inproc, libzmq sizes the
    single pipe between two sockets as the sender's SNDHWM plus the
    receiver's RCVHWM; a full pipe makes send block (EAGAIN with DONTWAIT or
    after SNDTIMEO). RCVTIMEO bounds a blocking receive.                   */
#include "testutil.h"

static void *ctx;

static void *sock (int type)
{
    void *s = zmq_socket (ctx, type);
    CHECK_PTR (s);
    return s;
}

/*  Sends DONTWAIT until EAGAIN; returns how many went out.                  */
static int fill (void *s)
{
    int n = 0;
    while (zmq_send (s, &n, sizeof n, ZMQ_DONTWAIT) == sizeof n) {
        n++;
        CHECK (n <= 1000000);
    }
    CHECK_EQ (zmq_errno (), EAGAIN);
    return n;
}

/*  Receives DONTWAIT until EAGAIN, checking the order; returns the count.   */
static int drain (void *s)
{
    int n = 0, v;
    while (zmq_recv (s, &v, sizeof v, ZMQ_DONTWAIT) == sizeof v) {
        CHECK_EQ (v, n);
        n++;
    }
    CHECK_EQ (zmq_errno (), EAGAIN);
    return n;
}

static void check_capacity (int bind_first, int push_binds, int sndhwm,
                            int rcvhwm)
{
    ctx = zmq_ctx_new ();
    void *push = sock (ZMQ_PUSH), *pull = sock (ZMQ_PULL);
    set_int (push, ZMQ_SNDHWM, sndhwm);
    set_int (pull, ZMQ_RCVHWM, rcvhwm);
    void *binder = push_binds ? push : pull;
    void *connecter = push_binds ? pull : push;
    if (bind_first) {
        CHECK_OK (zmq_bind (binder, "inproc://hwm"));
        CHECK_OK (zmq_connect (connecter, "inproc://hwm"));
    } else {
        CHECK_OK (zmq_connect (connecter, "inproc://hwm"));
        CHECK_OK (zmq_bind (binder, "inproc://hwm"));
    }
    int sent = fill (push);
    CHECK_EQ (sent, sndhwm + rcvhwm);
    CHECK_EQ (drain (pull), sent);
    /*  Once drained, the sender can go on. (Blocking send: libzmq throttles
        command processing in a DONTWAIT send, so the reader's "room again"
        notice may not have been seen yet by one.)                         */
    set_int (push, ZMQ_SNDTIMEO, 5000);
    CHECK_EQ (zmq_send (push, &sent, sizeof sent, 0), (int) sizeof sent);
    int v = -1;
    CHECK_EQ (zmq_recv (pull, &v, sizeof v, 0), (int) sizeof v);
    CHECK_EQ (v, sent);
    close_zero_linger (push);
    close_zero_linger (pull);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void capacity_bind_first (void)
{
    check_capacity (1, 0, 5, 7);
    check_capacity (1, 0, 1, 1);
    check_capacity (1, 0, 1000, 1000);
    check_capacity (1, 1, 3, 11);
}

static void capacity_connect_first (void)
{
    check_capacity (0, 0, 5, 7);
    check_capacity (0, 0, 20, 1);
    check_capacity (0, 1, 3, 11);
}

static void hwm_zero_is_unlimited (void)
{
    ctx = zmq_ctx_new ();
    void *push = sock (ZMQ_PUSH), *pull = sock (ZMQ_PULL);
    set_int (push, ZMQ_SNDHWM, 0);
    set_int (pull, ZMQ_RCVHWM, 0);
    CHECK_OK (zmq_bind (pull, "inproc://unlimited"));
    CHECK_OK (zmq_connect (push, "inproc://unlimited"));
    for (int i = 0; i < 100000; i++)
        CHECK_EQ (zmq_send (push, &i, sizeof i, ZMQ_DONTWAIT), (int) sizeof i);
    CHECK_EQ (drain (pull), 100000);
    close_zero_linger (push);
    close_zero_linger (pull);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void sndtimeo_on_full_pipe (void)
{
    ctx = zmq_ctx_new ();
    void *push = sock (ZMQ_PUSH), *pull = sock (ZMQ_PULL);
    set_int (push, ZMQ_SNDHWM, 2);
    set_int (pull, ZMQ_RCVHWM, 2);
    CHECK_OK (zmq_bind (pull, "inproc://sndtimeo"));
    CHECK_OK (zmq_connect (push, "inproc://sndtimeo"));
    CHECK_EQ (fill (push), 4);
    set_int (push, ZMQ_SNDTIMEO, 100);
    int64_t t0 = now_ms ();
    CHECK_ERR (zmq_send (push, "x", 1, 0), EAGAIN);
    int64_t elapsed = now_ms () - t0;
    CHECK (elapsed >= 90);
    CHECK (elapsed < 5000);
    /*  SNDTIMEO 0 acts as DONTWAIT.                                         */
    set_int (push, ZMQ_SNDTIMEO, 0);
    CHECK_ERR (zmq_send (push, "x", 1, 0), EAGAIN);
    close_zero_linger (push);
    close_zero_linger (pull);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void rcvtimeo (void)
{
    ctx = zmq_ctx_new ();
    void *pull = sock (ZMQ_PULL);
    CHECK_OK (zmq_bind (pull, "inproc://rcvtimeo"));
    char buf[4];
    set_int (pull, ZMQ_RCVTIMEO, 150);
    CHECK_EQ (get_int (pull, ZMQ_RCVTIMEO), 150);
    int64_t t0 = now_ms ();
    CHECK_ERR (zmq_recv (pull, buf, sizeof buf, 0), EAGAIN);
    int64_t elapsed = now_ms () - t0;
    CHECK (elapsed >= 140);
    CHECK (elapsed < 5000);
    /*  zmq_msg_recv honours it as well.                                     */
    zmq_msg_t m;
    zmq_msg_init (&m);
    t0 = now_ms ();
    CHECK_ERR (zmq_msg_recv (&m, pull, 0), EAGAIN);
    CHECK (now_ms () - t0 >= 140);
    zmq_msg_close (&m);
    set_int (pull, ZMQ_RCVTIMEO, 0);
    t0 = now_ms ();
    CHECK_ERR (zmq_recv (pull, buf, sizeof buf, 0), EAGAIN);
    CHECK (now_ms () - t0 < 100);
    close_zero_linger (pull);
    CHECK_OK (zmq_ctx_term (ctx));
}

/*  Drains the pull socket after a delay, from another thread.              */
typedef struct
{
    void *pull;
    int received;
} late_reader_t;

static void late_reader (void *arg)
{
    late_reader_t *r = arg;
    sleep_ms (100);
    int v;
    while (zmq_recv (r->pull, &v, sizeof v, 0) == sizeof v) {
        if (v == -1)
            break;
        r->received++;
    }
}

static void blocked_send_resumes (void)
{
    ctx = zmq_ctx_new ();
    void *push = sock (ZMQ_PUSH), *pull = sock (ZMQ_PULL);
    set_int (push, ZMQ_SNDHWM, 3);
    set_int (pull, ZMQ_RCVHWM, 3);
    CHECK_OK (zmq_bind (pull, "inproc://resume"));
    CHECK_OK (zmq_connect (push, "inproc://resume"));
    CHECK_EQ (fill (push), 6);
    late_reader_t r = {pull, 0};
    void *t = zmq_threadstart (late_reader, &r);
    /*  These block until the reader makes room, then all go through.       */
    int64_t t0 = now_ms ();
    for (int i = 6; i < 50; i++)
        CHECK_EQ (zmq_send (push, &i, sizeof i, 0), (int) sizeof i);
    CHECK (now_ms () - t0 >= 50);
    int end = -1;
    CHECK_EQ (zmq_send (push, &end, sizeof end, 0), (int) sizeof end);
    zmq_threadclose (t);
    CHECK_EQ (r.received, 50);
    close_zero_linger (push);
    close_zero_linger (pull);
    CHECK_OK (zmq_ctx_term (ctx));
}

int main (void)
{
    RUN_CASE (capacity_bind_first);
    RUN_CASE (capacity_connect_first);
    RUN_CASE (hwm_zero_is_unlimited);
    RUN_CASE (sndtimeo_on_full_pipe);
    RUN_CASE (rcvtimeo);
    RUN_CASE (blocked_send_resumes);
    return testutil_summary ();
}
