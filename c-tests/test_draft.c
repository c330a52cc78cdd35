/*  The DRAFT API over inproc: CLIENT/SERVER with routing ids, RADIO/DISH
    groups, SCATTER/GATHER, the zmq_poller_* functions, zmq_msg_init_buffer
    and zmq_ctx_get_ext/set_ext, the ZMQ_WSS_* options. Needs a library
    built with drafts (and, for the options, wss); c-tests/run
    skips it against one without (e.g. Debian's libzmq5).                   */
#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API
#endif
#include "testutil.h"

static void *ctx;

static void *sock (int type)
{
    void *s = zmq_socket (ctx, type);
    CHECK_PTR (s);
    return s;
}

static void client_server (void)
{
    ctx = zmq_ctx_new ();
    void *server = sock (ZMQ_SERVER), *client = sock (ZMQ_CLIENT);
    CHECK_OK (zmq_bind (server, "inproc://cs"));
    CHECK_OK (zmq_connect (client, "inproc://cs"));

    zmq_msg_t m;
    CHECK_OK (zmq_msg_init_size (&m, 5));
    memcpy (zmq_msg_data (&m), "hello", 5);
    CHECK_EQ (zmq_msg_routing_id (&m), 0);
    CHECK_EQ (zmq_msg_send (&m, client, 0), 5);
    CHECK_OK (zmq_msg_init (&m));
    CHECK_EQ (zmq_msg_recv (&m, server, 0), 5);
    uint32_t rid = zmq_msg_routing_id (&m);
    CHECK (rid != 0);
    CHECK_EQ (memcmp (zmq_msg_data (&m), "hello", 5), 0);
    CHECK_OK (zmq_msg_close (&m));

    /*  The reply is routed by the message's routing id.                    */
    CHECK_OK (zmq_msg_init_size (&m, 5));
    memcpy (zmq_msg_data (&m), "world", 5);
    CHECK_OK (zmq_msg_set_routing_id (&m, rid));
    CHECK_EQ (zmq_msg_routing_id (&m), rid);
    CHECK_EQ (zmq_msg_send (&m, server, 0), 5);
    RECV_STR (client, "world", 0);

    /*  No routing id, or an unknown one: EHOSTUNREACH.                      */
    CHECK_OK (zmq_msg_init_size (&m, 1));
    CHECK_ERR (zmq_msg_send (&m, server, 0), EHOSTUNREACH);
    CHECK_OK (zmq_msg_set_routing_id (&m, rid + 1000));
    CHECK_ERR (zmq_msg_send (&m, server, 0), EHOSTUNREACH);
    CHECK_ERR (zmq_msg_set_routing_id (&m, 0), EINVAL);
    CHECK_OK (zmq_msg_close (&m));

    /*  These sockets are single-part only.                                  */
    CHECK_ERR (zmq_send (client, "a", 1, ZMQ_SNDMORE), EINVAL);
    close_zero_linger (server);
    close_zero_linger (client);
    CHECK_OK (zmq_ctx_term (ctx));
}

/*  Sends a grouped message.                                                */
static void send_group (void *radio, const char *group, const char *body)
{
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init_size (&m, strlen (body)));
    memcpy (zmq_msg_data (&m), body, strlen (body));
    CHECK_OK (zmq_msg_set_group (&m, group));
    CHECK_STR (zmq_msg_group (&m), group);
    CHECK_EQ (zmq_msg_send (&m, radio, 0), (int) strlen (body));
}

/*  Receives a grouped message; checks the group and body.                  */
static void recv_group (void *dish, const char *group, const char *body)
{
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init (&m));
    CHECK_EQ (zmq_msg_recv (&m, dish, 0), (int) strlen (body));
    CHECK_EQ (memcmp (zmq_msg_data (&m), body, strlen (body)), 0);
    CHECK_STR (zmq_msg_group (&m), group);
    CHECK_OK (zmq_msg_close (&m));
}

static void radio_dish (void)
{
    ctx = zmq_ctx_new ();
    void *dish = sock (ZMQ_DISH), *radio = sock (ZMQ_RADIO);
    CHECK_OK (zmq_bind (dish, "inproc://rd"));
    CHECK_OK (zmq_join (dish, "weather"));
    CHECK_ERR (zmq_join (dish, "weather"), EINVAL);
    char too_long[300];
    memset (too_long, 'g', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = 0;
    CHECK_ERR (zmq_join (dish, too_long), EINVAL);
    /*  A message's group, unlike a join, is cut to its first 255 octets
        (libzmq measures it with strnlen (.., 255)).                        */
    zmq_msg_t cut;
    CHECK_OK (zmq_msg_init (&cut));
    CHECK_OK (zmq_msg_set_group (&cut, too_long));
    CHECK_EQ ((int) strlen (zmq_msg_group (&cut)), 255);
    CHECK_OK (zmq_msg_close (&cut));
    CHECK_OK (zmq_connect (radio, "inproc://rd"));

    /*  The join reaches the radio asynchronously: send until one arrives.  */
    set_int (dish, ZMQ_RCVTIMEO, 10);
    zmq_msg_t m;
    int synced = 0;
    for (int i = 0; i < 500 && !synced; i++) {
        send_group (radio, "weather", "sync");
        CHECK_OK (zmq_msg_init (&m));
        synced = zmq_msg_recv (&m, dish, 0) == 4;
        CHECK_OK (zmq_msg_close (&m));
    }
    CHECK (synced);
    CHECK_OK (zmq_msg_init (&m));
    while (zmq_msg_recv (&m, dish, ZMQ_DONTWAIT) >= 0) {
    }
    CHECK_OK (zmq_msg_close (&m));
    set_int (dish, ZMQ_RCVTIMEO, 2000);

    send_group (radio, "sports", "goal");
    send_group (radio, "weather", "rain");
    send_group (radio, "weather2", "nope");
    send_group (radio, "weather", "sun");
    recv_group (dish, "weather", "rain");
    recv_group (dish, "weather", "sun");
    CHECK_OK (zmq_msg_init (&m));
    CHECK_ERR (zmq_msg_recv (&m, dish, ZMQ_DONTWAIT), EAGAIN);
    CHECK_OK (zmq_msg_close (&m));

    CHECK_OK (zmq_leave (dish, "weather"));
    CHECK_ERR (zmq_leave (dish, "weather"), EINVAL);
    /*  DISH cannot send, RADIO cannot receive.                              */
    CHECK_ERR (zmq_send (dish, "x", 1, ZMQ_DONTWAIT), ENOTSUP);
    char buf[4];
    CHECK_ERR (zmq_recv (radio, buf, sizeof buf, ZMQ_DONTWAIT), ENOTSUP);
    close_zero_linger (dish);
    close_zero_linger (radio);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void scatter_gather (void)
{
    ctx = zmq_ctx_new ();
    void *gather = sock (ZMQ_GATHER), *scatter = sock (ZMQ_SCATTER);
    CHECK_OK (zmq_bind (gather, "inproc://sg"));
    CHECK_OK (zmq_connect (scatter, "inproc://sg"));
    for (int i = 0; i < 10; i++)
        CHECK_EQ (zmq_send (scatter, &i, sizeof i, 0), (int) sizeof i);
    for (int i = 0; i < 10; i++) {
        int v = -1;
        CHECK_EQ (zmq_recv (gather, &v, sizeof v, 0), (int) sizeof v);
        CHECK_EQ (v, i);
    }
    CHECK_ERR (zmq_send (scatter, "a", 1, ZMQ_SNDMORE), EINVAL);
    close_zero_linger (gather);
    close_zero_linger (scatter);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void poller (void)
{
    ctx = zmq_ctx_new ();
    void *a = sock (ZMQ_PAIR), *b = sock (ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, "inproc://poller"));
    CHECK_OK (zmq_connect (b, "inproc://poller"));
    int fds[2];
    CHECK_OK (pipe (fds));

    void *p = zmq_poller_new ();
    CHECK (p != NULL);
    CHECK_EQ (zmq_poller_size (p), 0);
    int tag_a = 1, tag_fd = 2;
    CHECK_OK (zmq_poller_add (p, a, &tag_a, ZMQ_POLLIN));
    CHECK_ERR (zmq_poller_add (p, a, NULL, ZMQ_POLLIN), EINVAL);
    CHECK_OK (zmq_poller_add_fd (p, fds[0], &tag_fd, ZMQ_POLLIN));
    CHECK_EQ (zmq_poller_size (p), 2);

    /*  Nothing ready: EAGAIN after the timeout.                             */
    zmq_poller_event_t ev;
    int64_t t0 = now_ms ();
    CHECK_ERR (zmq_poller_wait (p, &ev, 50), EAGAIN);
    CHECK (now_ms () - t0 >= 40);

    SEND_STR (b, "x", 0);
    CHECK_OK (zmq_poller_wait (p, &ev, 2000));
    CHECK (ev.socket == a);
    CHECK (ev.user_data == &tag_a);
    CHECK_EQ (ev.events, ZMQ_POLLIN);

    CHECK_EQ (write (fds[1], "z", 1), 1);
    zmq_poller_event_t evs[4];
    int n = 0;
    t0 = now_ms ();
    while ((n = zmq_poller_wait_all (p, evs, 4, 1000)) == 1
           && now_ms () - t0 < 2000) {
    }
    CHECK_EQ (n, 2);
    int saw_fd = 0, saw_sock = 0;
    for (int i = 0; i < n; i++) {
        if (evs[i].socket == NULL && evs[i].fd == fds[0]
            && evs[i].user_data == &tag_fd)
            saw_fd = 1;
        if (evs[i].socket == a && evs[i].user_data == &tag_a)
            saw_sock = 1;
    }
    CHECK (saw_fd && saw_sock);

    /*  modify / remove.                                                     */
    RECV_STR (a, "x", 0);
    CHECK_OK (zmq_poller_modify (p, a, ZMQ_POLLOUT));
    CHECK_OK (zmq_poller_remove_fd (p, fds[0]));
    CHECK_EQ (zmq_poller_size (p), 1);
    CHECK_OK (zmq_poller_wait (p, &ev, 1000));
    CHECK_EQ (ev.events, ZMQ_POLLOUT);
    CHECK_OK (zmq_poller_remove (p, a));
    CHECK_ERR (zmq_poller_remove (p, a), EINVAL);
    CHECK_ERR (zmq_poller_remove_fd (p, fds[0]), EINVAL);
    CHECK_EQ (zmq_poller_size (p), 0);
    CHECK_OK (zmq_poller_destroy (&p));
    CHECK (p == NULL);

    close (fds[0]);
    close (fds[1]);
    close_zero_linger (a);
    close_zero_linger (b);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void msg_init_buffer (void)
{
    char buf[100];
    memset (buf, 'q', sizeof buf);
    zmq_msg_t m;
    CHECK_OK (zmq_msg_init_buffer (&m, buf, sizeof buf));
    CHECK_EQ (zmq_msg_size (&m), sizeof buf);
    /*  A copy: the message does not point at the caller's buffer.           */
    CHECK (zmq_msg_data (&m) != buf);
    CHECK_EQ (memcmp (zmq_msg_data (&m), buf, sizeof buf), 0);
    buf[0] = 'r';
    CHECK_EQ (((char *) zmq_msg_data (&m))[0], 'q');
    CHECK_OK (zmq_msg_close (&m));
    CHECK_OK (zmq_msg_init_buffer (&m, NULL, 0));
    CHECK_EQ (zmq_msg_size (&m), 0);
    CHECK_OK (zmq_msg_close (&m));
}

static void ctx_ext (void)
{
    ctx = zmq_ctx_new ();
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_ZERO_COPY_RECV), 1);
    int v = 3;
    CHECK_OK (zmq_ctx_set_ext (ctx, ZMQ_IO_THREADS, &v, sizeof v));
    int got = 0;
    size_t sz = sizeof got;
    CHECK_OK (zmq_ctx_get_ext (ctx, ZMQ_IO_THREADS, &got, &sz));
    CHECK_EQ (got, 3);
    /*  (Not 4 bytes long: libzmq would take a 4-byte value for an int.)     */
    CHECK_OK (zmq_ctx_set_ext (ctx, ZMQ_THREAD_NAME_PREFIX, "zmq-t", 5));
    char name[16] = {0};
    sz = sizeof name;
    CHECK_OK (zmq_ctx_get_ext (ctx, ZMQ_THREAD_NAME_PREFIX, name, &sz));
    CHECK_EQ (memcmp (name, "zmq-t", 5), 0);
    /*  A name longer than 16 bytes does not fit a thread name.              */
    CHECK_ERR (zmq_ctx_set_ext (ctx, ZMQ_THREAD_NAME_PREFIX,
                                "0123456789abcdefg", 17),
               EINVAL);
    CHECK_OK (zmq_ctx_term (ctx));
}

/*  The ZMQ_WSS_* options as libzmq 4.3.4 (built with wss) takes them: the
    four texts accept any octets, empty or NULL included; the trust flag is
    a strict 0/1 int; none can be read back.                               */
static void wss_options (void)
{
    ctx = zmq_ctx_new ();
    void *s = sock (ZMQ_DEALER);
    const int texts[] = {ZMQ_WSS_KEY_PEM, ZMQ_WSS_CERT_PEM, ZMQ_WSS_TRUST_PEM,
                         ZMQ_WSS_HOSTNAME};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        CHECK_OK (zmq_setsockopt (s, texts[i], "not PEM\0at all", 14));
        CHECK_OK (zmq_setsockopt (s, texts[i], "", 0));
        CHECK_OK (zmq_setsockopt (s, texts[i], NULL, 0));
        char buf[64];
        size_t sz = sizeof buf;
        CHECK_ERR (zmq_getsockopt (s, texts[i], buf, &sz), EINVAL);
    }
    int v = 1;
    CHECK_OK (zmq_setsockopt (s, ZMQ_WSS_TRUST_SYSTEM, &v, sizeof v));
    v = 0;
    CHECK_OK (zmq_setsockopt (s, ZMQ_WSS_TRUST_SYSTEM, &v, sizeof v));
    v = 2;
    CHECK_ERR (zmq_setsockopt (s, ZMQ_WSS_TRUST_SYSTEM, &v, sizeof v), EINVAL);
    long long wide = 1;
    CHECK_ERR (zmq_setsockopt (s, ZMQ_WSS_TRUST_SYSTEM, &wide, sizeof wide),
               EINVAL);
    size_t sz = sizeof v;
    CHECK_ERR (zmq_getsockopt (s, ZMQ_WSS_TRUST_SYSTEM, &v, &sz), EINVAL);
    CHECK_OK (zmq_close (s));
    CHECK_OK (zmq_ctx_term (ctx));
}

int main (void)
{
    RUN_CASE (client_server);
    RUN_CASE (radio_dish);
    RUN_CASE (scatter_gather);
    RUN_CASE (poller);
    RUN_CASE (msg_init_buffer);
    RUN_CASE (ctx_ext);
    RUN_CASE (wss_options);
    return testutil_summary ();
}
