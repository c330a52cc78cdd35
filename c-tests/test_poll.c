/*  zmq_poll over sockets and plain file descriptors, and the ZMQ_FD /
    ZMQ_EVENTS integration with an external event loop.                     */
#include "testutil.h"

#include <poll.h>

static void *ctx;

static void *sock (int type)
{
    void *s = zmq_socket (ctx, type);
    CHECK_PTR (s);
    return s;
}

static void sockets_and_fd (void)
{
    ctx = zmq_ctx_new ();
    void *a = sock (ZMQ_PAIR), *b = sock (ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, "inproc://poll"));
    CHECK_OK (zmq_connect (b, "inproc://poll"));
    int fds[2];
    CHECK_OK (pipe (fds));

    zmq_pollitem_t items[3] = {
      {a, 0, ZMQ_POLLIN, 0},
      {b, 0, ZMQ_POLLIN, 0},
      {NULL, fds[0], ZMQ_POLLIN, 0},
    };
    /*  Nothing ready: timeout 0 returns at once, a timeout waits.          */
    CHECK_EQ (zmq_poll (items, 3, 0), 0);
    int64_t t0 = now_ms ();
    CHECK_EQ (zmq_poll (items, 3, 100), 0);
    int64_t elapsed = now_ms () - t0;
    CHECK (elapsed >= 90);
    CHECK (elapsed < 5000);
    CHECK_EQ (items[0].revents, 0);
    CHECK_EQ (items[2].revents, 0);

    /*  A message for a.                                                     */
    SEND_STR (b, "m", 0);
    CHECK_EQ (zmq_poll (items, 3, 1000), 1);
    CHECK_EQ (items[0].revents, ZMQ_POLLIN);
    CHECK_EQ (items[1].revents, 0);
    CHECK_EQ (items[2].revents, 0);
    /*  Still readable until read.                                           */
    CHECK_EQ (zmq_poll (items, 3, 0), 1);
    RECV_STR (a, "m", 0);
    CHECK_EQ (zmq_poll (items, 3, 0), 0);

    /*  The pipe.                                                             */
    CHECK_EQ (write (fds[1], "z", 1), 1);
    CHECK_EQ (zmq_poll (items, 3, 1000), 1);
    CHECK_EQ (items[2].revents, ZMQ_POLLIN);
    CHECK_EQ (items[0].revents, 0);

    /*  Both at once.                                                        */
    SEND_STR (a, "n", 0);
    t0 = now_ms ();
    int n = 0;
    /*  (the socket event may need a moment; the pipe is ready already)     */
    while ((n = zmq_poll (items, 3, 1000)) == 1 && now_ms () - t0 < 2000) {
    }
    CHECK_EQ (n, 2);
    CHECK_EQ (items[1].revents, ZMQ_POLLIN);
    CHECK_EQ (items[2].revents, ZMQ_POLLIN);
    char c;
    CHECK_EQ (read (fds[0], &c, 1), 1);
    RECV_STR (b, "n", 0);
    CHECK_EQ (zmq_poll (items, 3, 0), 0);

    close (fds[0]);
    close (fds[1]);
    close_zero_linger (a);
    close_zero_linger (b);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void pollout (void)
{
    ctx = zmq_ctx_new ();
    void *push = sock (ZMQ_PUSH);
    zmq_pollitem_t item = {push, 0, ZMQ_POLLOUT, 0};
    /*  No peer: a PUSH cannot send.                                         */
    CHECK_EQ (zmq_poll (&item, 1, 0), 0);
    void *pull = sock (ZMQ_PULL);
    set_int (push, ZMQ_SNDHWM, 1);
    set_int (pull, ZMQ_RCVHWM, 1);
    CHECK_OK (zmq_bind (pull, "inproc://pollout"));
    CHECK_OK (zmq_connect (push, "inproc://pollout"));
    CHECK_EQ (zmq_poll (&item, 1, 1000), 1);
    CHECK_EQ (item.revents, ZMQ_POLLOUT);
    /*  Full (sndhwm + rcvhwm = 2): no longer writable.                      */
    CHECK_EQ (zmq_send (push, "1", 1, 0), 1);
    CHECK_EQ (zmq_send (push, "2", 1, 0), 1);
    CHECK_EQ (zmq_poll (&item, 1, 50), 0);
    /*  Reading makes room; POLLOUT comes back.                              */
    char buf[2];
    CHECK_EQ (zmq_recv (pull, buf, sizeof buf, 0), 1);
    CHECK_EQ (zmq_recv (pull, buf, sizeof buf, 0), 1);
    CHECK_EQ (zmq_poll (&item, 1, 1000), 1);
    CHECK_EQ (item.revents, ZMQ_POLLOUT);
    /*  POLLIN is never set for a PUSH.                                      */
    item.events = ZMQ_POLLIN | ZMQ_POLLOUT;
    CHECK_EQ (zmq_poll (&item, 1, 0), 1);
    CHECK_EQ (item.revents, ZMQ_POLLOUT);
    close_zero_linger (push);
    close_zero_linger (pull);
    CHECK_OK (zmq_ctx_term (ctx));
}

static void poll_errors (void)
{
    /*  No items: zmq_poll sleeps for the timeout.                           */
    int64_t t0 = now_ms ();
    CHECK_EQ (zmq_poll (NULL, 0, 50), 0);
    CHECK (now_ms () - t0 >= 40);
    /*  (zmq_poll (NULL, 1, 0) is EFAULT in a libzmq built without drafts
        but crashes one built with them: not tested.)                       */
    /*  A socket that is not one.                                            */
    ctx = zmq_ctx_new ();
    zmq_pollitem_t item = {ctx, 0, ZMQ_POLLIN, 0};
    CHECK_ERR (zmq_poll (&item, 1, 0), ENOTSOCK);
    CHECK_OK (zmq_ctx_term (ctx));
}

typedef struct
{
    void *sock;
} delayed_t;

static void delayed_send (void *arg)
{
    delayed_t *d = arg;
    sleep_ms (100);
    zmq_send (d->sock, "late", 4, 0);
}

static void poll_wakes_on_message (void)
{
    /*  A blocked zmq_poll returns when another thread's message arrives.   */
    ctx = zmq_ctx_new ();
    void *a = sock (ZMQ_PAIR), *b = sock (ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, "inproc://wake"));
    CHECK_OK (zmq_connect (b, "inproc://wake"));
    delayed_t d = {b};
    void *t = zmq_threadstart (delayed_send, &d);
    zmq_pollitem_t item = {a, 0, ZMQ_POLLIN, 0};
    int64_t t0 = now_ms ();
    CHECK_EQ (zmq_poll (&item, 1, -1), 1);
    int64_t elapsed = now_ms () - t0;
    CHECK (elapsed >= 80);
    CHECK_EQ (item.revents, ZMQ_POLLIN);
    RECV_STR (a, "late", 0);
    zmq_threadclose (t);
    close_zero_linger (a);
    close_zero_linger (b);
    CHECK_OK (zmq_ctx_term (ctx));
}

/*  Waits (plain poll(2)) for the ZMQ_FD to signal, then asks ZMQ_EVENTS,
    as an event loop would; returns the events once `want` is among them. */
static int wait_events (void *s, int want, int timeout_ms)
{
    int fd = -1;
    size_t sz = sizeof fd;
    CHECK_OK (zmq_getsockopt (s, ZMQ_FD, &fd, &sz));
    int64_t deadline = now_ms () + timeout_ms;
    for (;;) {
        int ev = get_int (s, ZMQ_EVENTS);
        if (ev & want)
            return ev;
        int left = (int) (deadline - now_ms ());
        if (left <= 0)
            return ev;
        struct pollfd p = {fd, POLLIN, 0};
        poll (&p, 1, left);
    }
}

static void fd_and_events (void)
{
    ctx = zmq_ctx_new ();
    void *a = sock (ZMQ_PAIR), *b = sock (ZMQ_PAIR);
    CHECK_OK (zmq_bind (a, "inproc://fd"));
    CHECK_OK (zmq_connect (b, "inproc://fd"));
    int fd = -1;
    size_t sz = sizeof fd;
    CHECK_OK (zmq_getsockopt (a, ZMQ_FD, &fd, &sz));
    CHECK_EQ (sz, sizeof fd);
    CHECK (fd >= 0);
    /*  The same fd every time.                                              */
    int fd2 = -1;
    CHECK_OK (zmq_getsockopt (a, ZMQ_FD, &fd2, &sz));
    CHECK_EQ (fd2, fd);

    /*  Connected PAIR: writable, nothing to read.                           */
    CHECK_EQ (wait_events (a, ZMQ_POLLOUT, 1000), ZMQ_POLLOUT);
    SEND_STR (b, "x", 0);
    CHECK_EQ (wait_events (a, ZMQ_POLLIN, 2000), ZMQ_POLLIN | ZMQ_POLLOUT);
    RECV_STR (a, "x", 0);
    CHECK_EQ (get_int (a, ZMQ_EVENTS), ZMQ_POLLOUT);

    /*  After ZMQ_EVENTS reported "no input", a new message makes the fd
        readable (edge): an event loop sleeping in poll(2) wakes up.        */
    struct pollfd p = {fd, POLLIN, 0};
    SEND_STR (b, "y", 0);
    CHECK_EQ (poll (&p, 1, 2000), 1);
    CHECK (get_int (a, ZMQ_EVENTS) & ZMQ_POLLIN);
    RECV_STR (a, "y", 0);

    /*  An unconnected PULL has no events.                                   */
    void *pull = sock (ZMQ_PULL);
    CHECK_EQ (get_int (pull, ZMQ_EVENTS), 0);
    close_zero_linger (pull);
    close_zero_linger (a);
    close_zero_linger (b);
    CHECK_OK (zmq_ctx_term (ctx));
}

int main (void)
{
    RUN_CASE (sockets_and_fd);
    RUN_CASE (pollout);
    RUN_CASE (poll_errors);
    RUN_CASE (poll_wakes_on_message);
    RUN_CASE (fd_and_events);
    return testutil_summary ();
}
