/*  tcp connects through a real SOCKS5 proxy (Debian's microsocks, started
    here on 127.0.0.1; without it every case says so and passes): with and
    without username/password, to an IPv4 address, an IPv6 address and a
    name the proxy resolves; and the monitor events of a proxy that turns
    the connect away (wrong password, no credentials where they are
    required, no proxy at all): CONNECT_DELAYED (EINPROGRESS), CLOSED,
    CONNECT_RETRIED, again and again, all naming the proxy, even with
    ZMQ_RECONNECT_STOP_CONN_REFUSED.

    The cases that end with the connecter refused do not close their
    sockets: libzmq 4.3.4 aborts ("Bad file descriptor (src/epoll.cpp)")
    when a socket is closed while its SOCKS connecter waits to retry, as it
    removes the failed attempt's handle a second time. Each case is a
    process of its own, which simply ends.                                  */
#include "testutil.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>

/*  Draft numbers in our header; Debian's libzmq takes them all the same.   */
#ifndef ZMQ_SOCKS_USERNAME
#define ZMQ_SOCKS_USERNAME 99
#define ZMQ_SOCKS_PASSWORD 100
#endif
#ifndef ZMQ_RECONNECT_STOP
#define ZMQ_RECONNECT_STOP 109
#define ZMQ_RECONNECT_STOP_CONN_REFUSED 0x1
#endif

static void *ctx;
static pid_t proxy_pid = -1;
static int proxy_port;

static const char *microsocks (void)
{
    static const char *paths[] = {"/usr/bin/microsocks",
                                  "/usr/local/bin/microsocks"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        if (access (paths[i], X_OK) == 0)
            return paths[i];
    return NULL;
}

static int have_proxy (void)
{
    if (microsocks ())
        return 1;
    printf ("skipped %s: microsocks is not installed (apt-get install "
            "microsocks; .ci/deps installs it)\n",
            testutil_case_name);
    return 0;
}

static int free_port (void)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    CHECK (fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    CHECK_EQ (bind (fd, (struct sockaddr *) &a, sizeof a), 0);
    socklen_t len = sizeof a;
    CHECK_EQ (getsockname (fd, (struct sockaddr *) &a, &len), 0);
    close (fd);
    return ntohs (a.sin_port);
}

static int port_open (int port)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    CHECK (fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons ((uint16_t) port)};
    a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    int ok = connect (fd, (struct sockaddr *) &a, sizeof a) == 0;
    close (fd);
    return ok;
}

/*  Starts microsocks on 127.0.0.1, with credentials if user is not NULL.   */
static void start_proxy (const char *user, const char *pass)
{
    for (;;) {
        char port[16];
        proxy_port = free_port ();
        snprintf (port, sizeof port, "%d", proxy_port);
        char *argv[] = {(char *) microsocks (),
                        "-i",
                        "127.0.0.1",
                        "-p",
                        port,
                        user ? "-u" : NULL,
                        (char *) user,
                        "-P",
                        (char *) pass,
                        NULL};
        fflush (stdout);
        proxy_pid = fork ();
        CHECK (proxy_pid != -1);
        if (proxy_pid == 0) {
            /*  Gone with the case's process, however that ends.            */
            prctl (PR_SET_PDEATHSIG, SIGTERM);
            int null = open ("/dev/null", O_RDWR);
            dup2 (null, 1);
            dup2 (null, 2);
            execv (argv[0], argv);
            _exit (127);
        }
        /*  Until it listens, or exits (its port was taken: another one).    */
        int status;
        while (!port_open (proxy_port)) {
            if (waitpid (proxy_pid, &status, WNOHANG) == proxy_pid) {
                proxy_pid = -1;
                break;
            }
            sleep_ms (10);
        }
        if (proxy_pid != -1)
            return;
    }
}

static void stop_proxy (void)
{
    if (proxy_pid > 0) {
        kill (proxy_pid, SIGTERM);
        waitpid (proxy_pid, NULL, 0);
        proxy_pid = -1;
    }
}

static void *sock (int type)
{
    void *s = zmq_socket (ctx, type);
    CHECK_PTR (s);
    return s;
}

/*  One event (2 frames); -1 if none came within the hang guard.            */
static int read_event (void *mon, uint32_t *value, char *endpoint,
                       size_t endpoint_size)
{
    zmq_msg_t m;
    zmq_msg_init (&m);
    if (zmq_msg_recv (&m, mon, 0) == -1) {
        zmq_msg_close (&m);
        return -1;
    }
    CHECK_EQ (zmq_msg_size (&m), 6);
    uint16_t event;
    memcpy (&event, zmq_msg_data (&m), 2);
    memcpy (value, (char *) zmq_msg_data (&m) + 2, 4);
    CHECK (zmq_msg_recv (&m, mon, 0) >= 0);
    CHECK (zmq_msg_size (&m) < endpoint_size);
    memcpy (endpoint, zmq_msg_data (&m), zmq_msg_size (&m));
    endpoint[zmq_msg_size (&m)] = 0;
    zmq_msg_close (&m);
    return event;
}

static void *monitor (void *s, const char *name)
{
    char addr[64];
    snprintf (addr, sizeof addr, "inproc://%s", name);
    CHECK_OK (zmq_socket_monitor (s, addr, ZMQ_EVENT_ALL));
    void *mon = sock (ZMQ_PAIR);
    set_int (mon, ZMQ_RCVTIMEO, 10000);
    CHECK_OK (zmq_connect (mon, addr));
    return mon;
}

static void proxy_endpoint (char *buf, size_t size)
{
    snprintf (buf, size, "tcp://127.0.0.1:%d", proxy_port);
}

/*  A REQ connecting to target through the proxy, and its monitor.         */
static void *client (const char *target, const char *user, const char *pass,
                     const char *name, void **mon)
{
    void *req = sock (ZMQ_REQ);
    char proxy[64];
    snprintf (proxy, sizeof proxy, "127.0.0.1:%d", proxy_port);
    set_int (req, ZMQ_RECONNECT_IVL, 20);
    set_int (req, ZMQ_RECONNECT_STOP, ZMQ_RECONNECT_STOP_CONN_REFUSED);
    set_int (req, ZMQ_RCVTIMEO, 10000);
    CHECK_OK (zmq_setsockopt (req, ZMQ_SOCKS_PROXY, proxy, strlen (proxy)));
    if (user) {
        CHECK_OK (zmq_setsockopt (req, ZMQ_SOCKS_USERNAME, user, strlen (user)));
        CHECK_OK (zmq_setsockopt (req, ZMQ_SOCKS_PASSWORD, pass, strlen (pass)));
    }
    *mon = monitor (req, name);
    CHECK_OK (zmq_connect (req, target));
    char last[256];
    size_t size = sizeof last;
    CHECK_OK (zmq_getsockopt (req, ZMQ_LAST_ENDPOINT, last, &size));
    CHECK_STR (last, target);
    return req;
}

/*  Each kind of address through the proxy: a request and its reply, and
    the monitor's (CONNECT_DELAYED,) CONNECTED, HANDSHAKE_SUCCEEDED, naming
    the proxy.                                                              */
static void each_target (const char *user, const char *pass)
{
    ctx = zmq_ctx_new ();
    void *rep = sock (ZMQ_REP);
    set_int (rep, ZMQ_IPV6, 1);
    set_int (rep, ZMQ_RCVTIMEO, 10000);
    CHECK_OK (zmq_bind (rep, "tcp://127.0.0.1:*"));
    char ep[256];
    size_t size = sizeof ep;
    CHECK_OK (zmq_getsockopt (rep, ZMQ_LAST_ENDPOINT, ep, &size));
    int port = atoi (strrchr (ep, ':') + 1);
    char v6[64];
    snprintf (v6, sizeof v6, "tcp://[::1]:%d", port);
    CHECK_OK (zmq_bind (rep, v6));
    const char *hosts[] = {"127.0.0.1", "[::1]", "localhost"};
    char want_ep[64];
    proxy_endpoint (want_ep, sizeof want_ep);
    for (int i = 0; i < 3; i++) {
        char target[64], name[16];
        snprintf (target, sizeof target, "tcp://%s:%d", hosts[i], port);
        snprintf (name, sizeof name, "mon-%d", i);
        void *mon;
        void *req = client (target, user, pass, name, &mon);
        SEND_STR (req, target, 0);
        RECV_STR (rep, target, 0);
        SEND_STR (rep, "back", 0);
        RECV_STR (req, "back", 0);
        int seen[8], n = 0;
        for (;;) {
            uint32_t value;
            char got_ep[256];
            int e = read_event (mon, &value, got_ep, sizeof got_ep);
            CHECK (e != -1);
            CHECK_STR (got_ep, want_ep);
            if (e == ZMQ_EVENT_CONNECT_DELAYED) {
                CHECK_EQ (value, EINPROGRESS);
                continue;
            }
            CHECK (n < 8);
            seen[n++] = e;
            if (e == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
                break;
        }
        CHECK_EQ (n, 2);
        CHECK_EQ (seen[0], ZMQ_EVENT_CONNECTED);
        close_zero_linger (req);
        close_zero_linger (mon);
    }
    close_zero_linger (rep);
    CHECK_OK (zmq_ctx_term (ctx));
}

/*  Three failed attempts: (CONNECT_DELAYED,) CLOSED, CONNECT_RETRIED each,
    naming the proxy; never CONNECTED. The socket stays open (see the top). */
static void refused (void *mon)
{
    char want_ep[64];
    proxy_endpoint (want_ep, sizeof want_ep);
    for (int round = 0; round < 3; round++) {
        uint32_t value;
        char got_ep[256];
        int e = read_event (mon, &value, got_ep, sizeof got_ep);
        CHECK_STR (got_ep, want_ep);
        if (e == ZMQ_EVENT_CONNECT_DELAYED) {
            CHECK_EQ (value, EINPROGRESS);
            e = read_event (mon, &value, got_ep, sizeof got_ep);
            CHECK_STR (got_ep, want_ep);
        }
        CHECK_EQ (e, ZMQ_EVENT_CLOSED);
        e = read_event (mon, &value, got_ep, sizeof got_ep);
        CHECK_EQ (e, ZMQ_EVENT_CONNECT_RETRIED);
        CHECK_STR (got_ep, want_ep);
    }
}

static void without_authentication (void)
{
    if (!have_proxy ())
        return;
    start_proxy (NULL, NULL);
    each_target (NULL, NULL);
    /*  An empty username means no authentication.                          */
    each_target ("", "");
    stop_proxy ();
}

static void with_username_and_password (void)
{
    if (!have_proxy ())
        return;
    start_proxy ("someuser", "somepass");
    each_target ("someuser", "somepass");
    stop_proxy ();
}

static void wrong_password (void)
{
    if (!have_proxy ())
        return;
    start_proxy ("someuser", "somepass");
    ctx = zmq_ctx_new ();
    void *mon;
    client ("tcp://127.0.0.1:5555", "someuser", "wrong", "mon", &mon);
    refused (mon);
    stop_proxy ();
}

static void no_credentials_where_required (void)
{
    if (!have_proxy ())
        return;
    start_proxy ("someuser", "somepass");
    ctx = zmq_ctx_new ();
    void *mon;
    client ("tcp://127.0.0.1:5555", NULL, NULL, "mon", &mon);
    refused (mon);
    stop_proxy ();
}

static void no_proxy_listening (void)
{
    /*  No microsocks needed: nothing listens on the port.                  */
    proxy_port = free_port ();
    ctx = zmq_ctx_new ();
    void *mon;
    client ("tcp://127.0.0.1:5555", NULL, NULL, "mon", &mon);
    refused (mon);
}

int main (void)
{
    RUN_CASE (without_authentication);
    RUN_CASE (with_username_and_password);
    RUN_CASE (wrong_password);
    RUN_CASE (no_credentials_where_required);
    RUN_CASE (no_proxy_listening);
    return testutil_summary ();
}
