/*  zmq_socket_monitor with inproc sockets. Connection events (LISTENING,
    ACCEPTED, CONNECTED, ...) belong to network transports: libzmq emits
    none for inproc. What remains is MONITOR_STOPPED: when monitoring is
    stopped or replaced, and when the monitored socket is closed.           */
#include "testutil.h"

static void *ctx;

static void *sock (int type)
{
    void *s = zmq_socket (ctx, type);
    CHECK_PTR (s);
    return s;
}

/*  Reads one event (2 frames); returns the event number, or -1 on
    timeout. The value and endpoint are returned through the pointers.      */
static int read_event (void *mon, int timeout_ms, uint32_t *value,
                       char *endpoint, size_t endpoint_size)
{
    set_int (mon, ZMQ_RCVTIMEO, timeout_ms);
    zmq_msg_t m;
    zmq_msg_init (&m);
    if (zmq_msg_recv (&m, mon, 0) == -1) {
        CHECK_EQ (zmq_errno (), EAGAIN);
        zmq_msg_close (&m);
        return -1;
    }
    /*  Frame 1: u16 event, u32 value, host byte order, 6 bytes.            */
    CHECK_EQ (zmq_msg_size (&m), 6);
    CHECK_EQ (zmq_msg_more (&m), 1);
    uint16_t event;
    uint32_t v;
    memcpy (&event, zmq_msg_data (&m), 2);
    memcpy (&v, (char *) zmq_msg_data (&m) + 2, 4);
    /*  Frame 2: the endpoint, no terminating NUL.                           */
    CHECK_EQ (zmq_msg_recv (&m, mon, 0) >= 0, 1);
    CHECK_EQ (zmq_msg_more (&m), 0);
    CHECK (zmq_msg_size (&m) < endpoint_size);
    memcpy (endpoint, zmq_msg_data (&m), zmq_msg_size (&m));
    endpoint[zmq_msg_size (&m)] = 0;
    zmq_msg_close (&m);
    *value = v;
    return event;
}

static void expect_stopped (void *mon)
{
    uint32_t value = 99;
    char ep[64];
    CHECK_EQ (read_event (mon, 5000, &value, ep, sizeof ep),
              ZMQ_EVENT_MONITOR_STOPPED);
    CHECK_EQ (value, 0);
    CHECK_STR (ep, "");
}

static void expect_nothing (void *mon, int wait_ms)
{
    uint32_t value;
    char ep[64];
    CHECK_EQ (read_event (mon, wait_ms, &value, ep, sizeof ep), -1);
}

static void no_events_for_inproc (void)
{
    ctx = zmq_ctx_new ();
    void *s = sock (ZMQ_PAIR), *t = sock (ZMQ_PAIR);
    CHECK_OK (zmq_socket_monitor (s, "inproc://mon-s", ZMQ_EVENT_ALL));
    void *mon = sock (ZMQ_PAIR);
    CHECK_OK (zmq_connect (mon, "inproc://mon-s"));
    CHECK_OK (zmq_bind (s, "inproc://data"));
    CHECK_OK (zmq_connect (t, "inproc://data"));
    SEND_STR (t, "x", 0);
    RECV_STR (s, "x", 0);
    SEND_STR (s, "y", 0);
    RECV_STR (t, "y", 0);
    CHECK_OK (zmq_unbind (s, "inproc://data"));
    expect_nothing (mon, 200);
    /*  Stopping the monitor (NULL endpoint) sends MONITOR_STOPPED.         */
    CHECK_OK (zmq_socket_monitor (s, NULL, 0));
    expect_stopped (mon);
    expect_nothing (mon, 100);
    close_zero_linger (s);
    close_zero_linger (t);
    close_zero_linger (mon);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void stopped_on_close (void)
{
    ctx = zmq_ctx_new ();
    void *s = sock (ZMQ_DEALER);
    CHECK_OK (zmq_socket_monitor (s, "inproc://mon-close", ZMQ_EVENT_ALL));
    void *mon = sock (ZMQ_PAIR);
    CHECK_OK (zmq_connect (mon, "inproc://mon-close"));
    CHECK_OK (zmq_close (s));
    expect_stopped (mon);
    close_zero_linger (mon);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void stopped_on_close_with_peer (void)
{
    /*  The event comes once the socket is gone, after its peer let go.     */
    ctx = zmq_ctx_new ();
    void *s = sock (ZMQ_PAIR), *t = sock (ZMQ_PAIR);
    CHECK_OK (zmq_socket_monitor (s, "inproc://mon-peer", ZMQ_EVENT_ALL));
    void *mon = sock (ZMQ_PAIR);
    CHECK_OK (zmq_connect (mon, "inproc://mon-peer"));
    CHECK_OK (zmq_bind (s, "inproc://peer"));
    CHECK_OK (zmq_connect (t, "inproc://peer"));
    SEND_STR (t, "x", 0);
    RECV_STR (s, "x", 0);
    CHECK_OK (zmq_close (s));
    CHECK_OK (zmq_close (t));
    expect_stopped (mon);
    close_zero_linger (mon);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void replaced_monitor (void)
{
    ctx = zmq_ctx_new ();
    void *s = sock (ZMQ_PUSH);
    CHECK_OK (zmq_socket_monitor (s, "inproc://mon-1", ZMQ_EVENT_ALL));
    void *mon1 = sock (ZMQ_PAIR);
    CHECK_OK (zmq_connect (mon1, "inproc://mon-1"));
    /*  A new monitor replaces the old one, which is told it stopped.       */
    CHECK_OK (zmq_socket_monitor (s, "inproc://mon-2",
                                  ZMQ_EVENT_MONITOR_STOPPED));
    expect_stopped (mon1);
    void *mon2 = sock (ZMQ_PAIR);
    CHECK_OK (zmq_connect (mon2, "inproc://mon-2"));
    /*  Without MONITOR_STOPPED in the mask, stopping is silent.             */
    CHECK_OK (zmq_socket_monitor (s, "inproc://mon-3", ZMQ_EVENT_CONNECTED));
    expect_stopped (mon2);
    void *mon3 = sock (ZMQ_PAIR);
    CHECK_OK (zmq_connect (mon3, "inproc://mon-3"));
    CHECK_OK (zmq_socket_monitor (s, NULL, 0));
    expect_nothing (mon3, 200);
    close_zero_linger (s);
    close_zero_linger (mon1);
    close_zero_linger (mon2);
    close_zero_linger (mon3);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void monitor_errors (void)
{
    ctx = zmq_ctx_new ();
    void *s = sock (ZMQ_PAIR), *t = sock (ZMQ_PAIR);
    CHECK_EQ (ZMQ_EVENT_ALL, 0xffff);
    /*  Events go to inproc endpoints only.                                  */
    CHECK_ERR (zmq_socket_monitor (s, "tcp://127.0.0.1:5560", ZMQ_EVENT_ALL),
               EPROTONOSUPPORT);
    CHECK_ERR (zmq_socket_monitor (s, "nosuch://x", ZMQ_EVENT_ALL),
               EPROTONOSUPPORT);
    CHECK_ERR (zmq_socket_monitor (s, "no-separator", ZMQ_EVENT_ALL), EINVAL);
    /*  Version-1 events fit in 16 bits.                                     */
    CHECK_ERR (zmq_socket_monitor (s, "inproc://mon-e", 1 << 16), EINVAL);
    CHECK_ERR (zmq_socket_monitor (NULL, "inproc://mon-e", ZMQ_EVENT_ALL),
               ENOTSOCK);
    /*  The monitor endpoint is bound like any other.                       */
    CHECK_OK (zmq_socket_monitor (s, "inproc://mon-e", ZMQ_EVENT_ALL));
    CHECK_ERR (zmq_socket_monitor (t, "inproc://mon-e", ZMQ_EVENT_ALL),
               EADDRINUSE);
    close_zero_linger (s);
    close_zero_linger (t);
    CHECK_OK (zmq_ctx_term (ctx));
}

int main (void)
{
    RUN_CASE (no_events_for_inproc);
    RUN_CASE (stopped_on_close);
    RUN_CASE (stopped_on_close_with_peer);
    RUN_CASE (replaced_monitor);
    RUN_CASE (monitor_errors);
    return testutil_summary ();
}
