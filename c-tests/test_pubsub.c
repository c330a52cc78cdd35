/*  PUB/SUB and XPUB/XSUB over inproc: prefix filtering, unsubscribe,
    multipart, subscription messages seen by XPUB, XPUB_VERBOSE, welcome
    message, and XSUB subscriptions sent as data.                          */
#include "testutil.h"

static void *ctx;

static void *sock (int type)
{
    void *s = zmq_socket (ctx, type);
    CHECK_PTR (s);
    return s;
}

/*  Subscriptions travel to the publisher asynchronously. Publish a marker
    on `topic` until the subscriber gets it: then every subscription made
    before is in effect.                                                    */
static void sync_sub (void *pub, void *sub, const char *topic)
{
    set_int (sub, ZMQ_RCVTIMEO, 10);
    char buf[64];
    for (int i = 0; i < 500; i++) {
        SEND_STR (pub, topic, 0);
        int n = zmq_recv (sub, buf, sizeof buf - 1, 0);
        if (n >= 0) {
            buf[n] = 0;
            CHECK_STR (buf, topic);
            /*  Drain the markers that are still in flight.                 */
            while (zmq_recv (sub, buf, sizeof buf, ZMQ_DONTWAIT) >= 0) {
            }
            set_int (sub, ZMQ_RCVTIMEO, -1);
            return;
        }
        CHECK_EQ (zmq_errno (), EAGAIN);
    }
    CHECK (!"subscription never took effect");
}

static void prefix_filter (void)
{
    ctx = zmq_ctx_new ();
    void *pub = sock (ZMQ_PUB), *sub = sock (ZMQ_SUB);
    CHECK_OK (zmq_bind (pub, "inproc://ps"));
    CHECK_OK (zmq_connect (sub, "inproc://ps"));
    CHECK_OK (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "weather.", 8));
    CHECK_OK (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "sync", 4));
    sync_sub (pub, sub, "sync");

    SEND_STR (pub, "sports.football", 0);
    SEND_STR (pub, "weather.london 12C", 0);
    SEND_STR (pub, "weathe", 0);
    SEND_STR (pub, "weather.", 0);
    SEND_STR (pub, "news", 0);
    SEND_STR (pub, "sync", 0);
    RECV_STR (sub, "weather.london 12C", 0);
    RECV_STR (sub, "weather.", 0);
    RECV_STR (sub, "sync", 0);
    char buf[32];
    CHECK_ERR (zmq_recv (sub, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);

    /*  Multipart: the filter applies to the first frame, the rest follows. */
    SEND_STR (pub, "weather.paris", ZMQ_SNDMORE);
    SEND_STR (pub, "18C", ZMQ_SNDMORE);
    SEND_STR (pub, "sunny", 0);
    SEND_STR (pub, "other", ZMQ_SNDMORE);
    SEND_STR (pub, "weather.x", 0);
    SEND_STR (pub, "sync", 0);
    RECV_STR (sub, "weather.paris", 1);
    RECV_STR (sub, "18C", 1);
    RECV_STR (sub, "sunny", 0);
    RECV_STR (sub, "sync", 0);

    /*  Unsubscribe.                                                         */
    CHECK_OK (zmq_setsockopt (sub, ZMQ_UNSUBSCRIBE, "weather.", 8));
    CHECK_OK (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "sync2", 5));
    sync_sub (pub, sub, "sync2");
    SEND_STR (pub, "weather.rome", 0);
    SEND_STR (pub, "sync", 0);
    RECV_STR (sub, "sync", 0);
    CHECK_ERR (zmq_recv (sub, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);
    close_zero_linger (pub);
    close_zero_linger (sub);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void no_subscription_no_data (void)
{
    ctx = zmq_ctx_new ();
    void *pub = sock (ZMQ_PUB), *sub = sock (ZMQ_SUB), *all = sock (ZMQ_SUB);
    CHECK_OK (zmq_bind (pub, "inproc://none"));
    CHECK_OK (zmq_connect (sub, "inproc://none"));
    CHECK_OK (zmq_connect (all, "inproc://none"));
    /*  The empty prefix matches everything.                                 */
    CHECK_OK (zmq_setsockopt (all, ZMQ_SUBSCRIBE, "", 0));
    sync_sub (pub, all, "anything");
    SEND_STR (pub, "m1", 0);
    SEND_STR (pub, "", 0);
    RECV_STR (all, "m1", 0);
    RECV_STR (all, "", 0);
    char buf[8];
    CHECK_ERR (zmq_recv (sub, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);
    /*  PUB never blocks: with no subscriber matching, sends still succeed.  */
    for (int i = 0; i < 5000; i++)
        CHECK_EQ (zmq_send (pub, "zzz", 3, ZMQ_DONTWAIT), 3);
    close_zero_linger (pub);
    close_zero_linger (sub);
    close_zero_linger (all);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void pub_drops_at_hwm (void)
{
    /*  A slow subscriber: (X)PUB drops what exceeds the HWM, never blocks.
        XPUB tells us when the subscription has arrived, so no marker
        messages need to go through the pipe first.                        */
    ctx = zmq_ctx_new ();
    void *pub = sock (ZMQ_XPUB), *sub = sock (ZMQ_SUB);
    set_int (pub, ZMQ_SNDHWM, 10);
    set_int (sub, ZMQ_RCVHWM, 10);
    CHECK_OK (zmq_bind (pub, "inproc://drop"));
    CHECK_OK (zmq_connect (sub, "inproc://drop"));
    CHECK_OK (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "", 0));
    char buf[8];
    CHECK_EQ (zmq_recv (pub, buf, sizeof buf, 0), 1);
    CHECK_EQ (buf[0], 1);
    for (int i = 0; i < 1000; i++)
        CHECK_EQ (zmq_send (pub, &i, sizeof i, ZMQ_DONTWAIT), (int) sizeof i);
    int got = 0, v, last = -1;
    while (zmq_recv (sub, &v, sizeof v, ZMQ_DONTWAIT) == sizeof v) {
        CHECK_EQ (v, last + 1);
        last = v;
        got++;
    }
    /*  inproc: the pipe holds sndhwm + rcvhwm; the first ones arrive.      */
    CHECK_EQ (got, 20);
    close_zero_linger (pub);
    close_zero_linger (sub);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void xpub_sees_subscriptions (void)
{
    ctx = zmq_ctx_new ();
    void *xpub = sock (ZMQ_XPUB);
    CHECK_OK (zmq_bind (xpub, "inproc://xpub"));
    void *s1 = sock (ZMQ_SUB), *s2 = sock (ZMQ_SUB);
    CHECK_OK (zmq_connect (s1, "inproc://xpub"));
    CHECK_OK (zmq_connect (s2, "inproc://xpub"));
    char buf[32];
    CHECK_OK (zmq_setsockopt (s1, ZMQ_SUBSCRIBE, "abc", 3));
    CHECK_EQ (zmq_recv (xpub, buf, sizeof buf, 0), 4);
    CHECK_EQ (memcmp (buf, "\1abc", 4), 0);
    /*  A duplicate subscription is not passed on (XPUB_VERBOSE off).       */
    CHECK_OK (zmq_setsockopt (s2, ZMQ_SUBSCRIBE, "abc", 3));
    CHECK_OK (zmq_setsockopt (s2, ZMQ_SUBSCRIBE, "xyz", 3));
    CHECK_EQ (zmq_recv (xpub, buf, sizeof buf, 0), 4);
    CHECK_EQ (memcmp (buf, "\1xyz", 4), 0);
    /*  Unsubscribing is passed on when the last subscriber leaves.         */
    CHECK_OK (zmq_setsockopt (s1, ZMQ_UNSUBSCRIBE, "abc", 3));
    CHECK_OK (zmq_setsockopt (s2, ZMQ_UNSUBSCRIBE, "xyz", 3));
    CHECK_EQ (zmq_recv (xpub, buf, sizeof buf, 0), 4);
    CHECK_EQ (memcmp (buf, "\0xyz", 4), 0);
    CHECK_OK (zmq_setsockopt (s2, ZMQ_UNSUBSCRIBE, "abc", 3));
    CHECK_EQ (zmq_recv (xpub, buf, sizeof buf, 0), 4);
    CHECK_EQ (memcmp (buf, "\0abc", 4), 0);
    CHECK_ERR (zmq_recv (xpub, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);
    close_zero_linger (xpub);
    close_zero_linger (s1);
    close_zero_linger (s2);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void xpub_verbose (void)
{
    ctx = zmq_ctx_new ();
    void *xpub = sock (ZMQ_XPUB);
    set_int (xpub, ZMQ_XPUB_VERBOSE, 1);
    CHECK_OK (zmq_bind (xpub, "inproc://verbose"));
    void *s1 = sock (ZMQ_SUB), *s2 = sock (ZMQ_SUB);
    CHECK_OK (zmq_connect (s1, "inproc://verbose"));
    CHECK_OK (zmq_connect (s2, "inproc://verbose"));
    char buf[32];
    CHECK_OK (zmq_setsockopt (s1, ZMQ_SUBSCRIBE, "t", 1));
    CHECK_EQ (zmq_recv (xpub, buf, sizeof buf, 0), 2);
    CHECK_EQ (memcmp (buf, "\1t", 2), 0);
    CHECK_OK (zmq_setsockopt (s2, ZMQ_SUBSCRIBE, "t", 1));
    CHECK_EQ (zmq_recv (xpub, buf, sizeof buf, 0), 2);
    CHECK_EQ (memcmp (buf, "\1t", 2), 0);
    close_zero_linger (xpub);
    close_zero_linger (s1);
    close_zero_linger (s2);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void xsub_to_xpub (void)
{
    /*  XSUB subscribes by sending \1prefix; XPUB forwards data to it.      */
    ctx = zmq_ctx_new ();
    void *xpub = sock (ZMQ_XPUB), *xsub = sock (ZMQ_XSUB);
    CHECK_OK (zmq_bind (xpub, "inproc://x2x"));
    CHECK_OK (zmq_connect (xsub, "inproc://x2x"));
    CHECK_EQ (zmq_send (xsub, "\1news", 5, 0), 5);
    char buf[32];
    CHECK_EQ (zmq_recv (xpub, buf, sizeof buf, 0), 5);
    CHECK_EQ (memcmp (buf, "\1news", 5), 0);
    SEND_STR (xpub, "news: hi", ZMQ_SNDMORE);
    SEND_STR (xpub, "part 2", 0);
    SEND_STR (xpub, "sport", 0);
    RECV_STR (xsub, "news: hi", 1);
    RECV_STR (xsub, "part 2", 0);
    CHECK_ERR (zmq_recv (xsub, buf, sizeof buf, ZMQ_DONTWAIT), EAGAIN);
    /*  XSUB also accepts other messages upstream; XPUB passes them on.      */
    CHECK_EQ (zmq_send (xsub, "\0news", 5, 0), 5);
    CHECK_EQ (zmq_recv (xpub, buf, sizeof buf, 0), 5);
    CHECK_EQ (memcmp (buf, "\0news", 5), 0);
    close_zero_linger (xpub);
    close_zero_linger (xsub);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void xpub_welcome_message (void)
{
    ctx = zmq_ctx_new ();
    void *xpub = sock (ZMQ_XPUB);
    CHECK_OK (zmq_setsockopt (xpub, ZMQ_XPUB_WELCOME_MSG, "W", 1));
    CHECK_OK (zmq_bind (xpub, "inproc://welcome"));
    void *sub = sock (ZMQ_SUB);
    CHECK_OK (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "W", 1));
    CHECK_OK (zmq_connect (sub, "inproc://welcome"));
    char buf[8];
    CHECK_EQ (zmq_recv (xpub, buf, sizeof buf, 0), 2);
    CHECK_EQ (memcmp (buf, "\1W", 2), 0);
    RECV_STR (sub, "W", 0);
    close_zero_linger (xpub);
    close_zero_linger (sub);
    CHECK_OK (zmq_ctx_term (ctx));
}

int main (void)
{
    RUN_CASE (prefix_filter);
    RUN_CASE (no_subscription_no_data);
    RUN_CASE (pub_drops_at_hwm);
    RUN_CASE (xpub_sees_subscriptions);
    RUN_CASE (xpub_verbose);
    RUN_CASE (xsub_to_xpub);
    RUN_CASE (xpub_welcome_message);
    return testutil_summary ();
}
