/*  RADIO/DISH throughput over udp://127.0.0.1 of a libzmq.so.5 (whichever
    the loader finds), the two sides in two processes:

      udp_bench SIZE COUNT [RATE]

    The parent binds a DISH to udp://127.0.0.1:PORT (a port the system just
    gave out) and joins two groups, "s" (sync) and "b" (bench); a child
    process with its own context connects a RADIO to it. The RADIO sends
    "s" datagrams every millisecond until the DISH has one (a udp bind
    takes effect on the io thread, some time after zmq_bind returns: what
    was sent before it is lost for no fault of either side), then COUNT
    messages of SIZE bytes to "b", as fast as it can or, with RATE,
    paced to RATE messages per second. The DISH counts what reaches it and
    times from the first "b" message received to the last.

    udp may drop under overload: a datagram goes when the RADIO's io
    thread sends it, whether the receiving side keeps up or not. Drops are
    reported (received, fraction), never hidden. To make the two libraries
    meet the same conditions:

    - The RADIO has ZMQ_XPUB_NODROP set: a send waits for room in its pipe
      to the io thread (SNDHWM) rather than dropping there, so every
      message is handed to the kernel and what goes missing went missing
      on the receiving side.

    - The DISH's kernel receive buffer is BENCH_UDP_RCVBUF bytes (default
      4 MiB; 0 leaves the system's default), set by this program with
      SO_RCVBUF on the one udp socket of its process bound to PORT, found
      by its descriptor. Not through ZMQ_RCVBUF: libzmq 4.3.4's udp engine
      ignores that option (ours applies it), so it would favour one side.
      The kernel caps it at net.core.rmem_max; the buffer's size as the
      kernel reports it (twice the request, for its bookkeeping) is printed.

    Prints one line of key=value pairs, for perf/run-inproc:
      udp size=1024 count=100000 sent_per_s=240397 received=99996
      dropped=4 fraction=0.999960 seconds=0.4173 msgs_per_s=239608
      MB_per_s=245.4 rcvbuf=8388608
    (on one line). Every received message is checked: its group, its size
    and its sequence number (first 4 bytes), which must grow: a wrong,
    repeated or reordered message exits 1. The RADIO/DISH API is draft:
    build with -DZMQ_BUILD_DRAFT_API.                                       */
#define _GNU_SOURCE
#include <zmq.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*  libzmq's limit on a RADIO/DISH datagram (its MAX_UDP_MSG): one octet of
    group length, the group ("b"), the body.                                */
#define MAX_DATAGRAM 8192
#define MAX_BODY (MAX_DATAGRAM - 2)

static size_t message_size;
static long message_count;
static double rate;
static char endpoint[64];
static int port;

static pid_t child = -1;
/*  Parent to child: one byte "go" once the DISH has a sync datagram, then
    end of file once the parent has everything (the child keeps its RADIO
    until then). Child to parent: the sending time, once all is sent.      */
static int go_pipe[2], report_pipe[2];

static void fail (const char *what)
{
    fprintf (stderr, "udp_bench: %s: %s\n", what, zmq_strerror (zmq_errno ()));
    if (child > 0)
        kill (child, SIGKILL);
    exit (1);
}

static double now_s (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

static void sleep_until (double t)
{
    double d = t - now_s ();
    if (d <= 0)
        return;
    struct timespec ts = {(time_t) d, (long) ((d - (double) (time_t) d) * 1e9)};
    nanosleep (&ts, NULL);
}

/*  A udp port on 127.0.0.1 that was free a moment ago: libzmq's udp bind
    takes no wildcard port, and its ZMQ_LAST_ENDPOINT is the text given.  */
static int free_port (void)
{
    int fd = socket (AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl (INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd == -1 || bind (fd, (struct sockaddr *) &a, sizeof a) == -1
        || getsockname (fd, (struct sockaddr *) &a, &len) == -1) {
        perror ("udp_bench: a free port");
        exit (1);
    }
    close (fd);
    return ntohs (a.sin_port);
}

/*  Sets the receive buffer of this process's udp socket bound to `port`
    (the DISH's, opened by the library) and returns its size as the kernel
    reports it; 0 if `bytes` is 0 (the system's default kept).             */
static int enlarge_rcvbuf (int bytes)
{
    for (int fd = 0; fd < 4096; fd++) {
        int type;
        socklen_t len = sizeof type;
        struct sockaddr_in a;
        socklen_t alen = sizeof a;
        if (getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1
            || type != SOCK_DGRAM
            || getsockname (fd, (struct sockaddr *) &a, &alen) == -1
            || a.sin_family != AF_INET || ntohs (a.sin_port) != port)
            continue;
        if (bytes > 0
            && setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes) == -1)
            break;
        int got = 0;
        len = sizeof got;
        getsockopt (fd, SOL_SOCKET, SO_RCVBUF, &got, &len);
        return got;
    }
    fprintf (stderr, "udp_bench: no udp socket of this process is bound to "
                     "port %d\n", port);
    if (child > 0)
        kill (child, SIGKILL);
    exit (1);
}

static void stamp (void *data, long seq)
{
    uint32_t v = (uint32_t) seq;
    memcpy (data, &v, sizeof v);
}

/*  ---------------------------------------------------------------------- */

static void send_to (void *radio, const char *group, size_t size, long seq)
{
    zmq_msg_t msg;
    if (zmq_msg_init_size (&msg, size) == -1)
        fail ("zmq_msg_init_size");
    if (size >= sizeof (uint32_t))
        stamp (zmq_msg_data (&msg), seq);
    if (zmq_msg_set_group (&msg, group) == -1)
        fail ("zmq_msg_set_group");
    if (zmq_msg_send (&msg, radio, 0) == -1)
        fail ("zmq_msg_send");
}

/*  The child: the RADIO. Exits 0 once the parent closes go_pipe.          */
static void radio_side (void)
{
    void *ctx = zmq_ctx_new ();
    void *radio = zmq_socket (ctx, ZMQ_RADIO);
    if (!radio)
        fail ("zmq_socket (ZMQ_RADIO)");
    int one = 1, zero = 0;
    if (zmq_setsockopt (radio, ZMQ_XPUB_NODROP, &one, sizeof one) == -1
        || zmq_setsockopt (radio, ZMQ_LINGER, &zero, sizeof zero) == -1)
        fail ("zmq_setsockopt (ZMQ_XPUB_NODROP, ZMQ_LINGER)");
    if (zmq_connect (radio, endpoint) == -1)
        fail ("zmq_connect");

    struct pollfd go = {.fd = go_pipe[0], .events = POLLIN};
    double give_up = now_s () + 30;
    while (poll (&go, 1, 1) == 0) {
        if (now_s () > give_up)
            _exit (1);
        send_to (radio, "s", 1, 0);
    }
    char c;
    if (read (go_pipe[0], &c, 1) != 1)
        _exit (1);

    double start = now_s ();
    for (long i = 0; i < message_count; i++) {
        /*  Paced in steps of 16 messages: a sleep per message would cost
            more than the message at high rates.                            */
        if (rate > 0 && i % 16 == 0)
            sleep_until (start + (double) i / rate);
        send_to (radio, "b", message_size, i);
    }
    char report[64];
    int n = snprintf (report, sizeof report, "%.6f", now_s () - start);
    if (write (report_pipe[1], report, (size_t) n) != n)
        _exit (1);
    close (report_pipe[1]);

    while (read (go_pipe[0], &c, 1) > 0)
        ;
    zmq_close (radio);
    zmq_ctx_term (ctx);
    _exit (0);
}

/*  In the parent: the sending time from the child, once it has sent
    everything; < 0 if not yet. A child gone without a report fails.       */
static double sender_report (void)
{
    struct pollfd p = {.fd = report_pipe[0], .events = POLLIN};
    if (poll (&p, 1, 0) == 0)
        return -1;
    char buf[64];
    ssize_t n = read (report_pipe[0], buf, sizeof buf - 1);
    if (n <= 0) {
        fprintf (stderr, "udp_bench: the RADIO process failed\n");
        exit (1);
    }
    buf[n] = 0;
    return atof (buf);
}

static int run (void)
{
    port = free_port ();
    snprintf (endpoint, sizeof endpoint, "udp://127.0.0.1:%d", port);
    const char *v = getenv ("BENCH_UDP_RCVBUF");
    int rcvbuf_request = v ? atoi (v) : 4 << 20;
    if (pipe (go_pipe) == -1 || pipe (report_pipe) == -1) {
        perror ("udp_bench: pipe");
        return 1;
    }
    pid_t parent = getpid ();
    fflush (NULL);
    child = fork ();
    if (child == -1) {
        perror ("udp_bench: fork");
        return 1;
    }
    if (child == 0) {
        /*  Killed with its parent (run-inproc's timeout, or a failure).   */
        if (prctl (PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid () != parent)
            _exit (1);
        close (go_pipe[1]);
        close (report_pipe[0]);
        radio_side ();
    }
    close (go_pipe[0]);
    close (report_pipe[1]);

    void *ctx = zmq_ctx_new ();
    void *dish = zmq_socket (ctx, ZMQ_DISH);
    if (!dish)
        fail ("zmq_socket (ZMQ_DISH)");
    /*  Short, so that the end of the sending is seen; waits are bounded
        below by counting them.                                             */
    int timeout_ms = 100;
    if (zmq_setsockopt (dish, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms) == -1)
        fail ("zmq_setsockopt (ZMQ_RCVTIMEO)");
    if (zmq_bind (dish, endpoint) == -1)
        fail ("zmq_bind");
    if (zmq_join (dish, "s") == -1 || zmq_join (dish, "b") == -1)
        fail ("zmq_join");

    zmq_msg_t msg;
    zmq_msg_init (&msg);
    double last = now_s ();
    while (zmq_msg_recv (&msg, dish, 0) == -1) {
        if (zmq_errno () != EAGAIN || now_s () - last > 30)
            fail ("zmq_msg_recv (sync)");
    }
    int rcvbuf = enlarge_rcvbuf (rcvbuf_request);
    if (write (go_pipe[1], "g", 1) != 1)
        fail ("write");

    long received = 0, previous = -1;
    double first = 0, sent_seconds = -1;
    last = now_s ();
    while (received < message_count) {
        if (zmq_msg_recv (&msg, dish, 0) == -1) {
            if (zmq_errno () != EAGAIN)
                fail ("zmq_msg_recv");
            if (sent_seconds < 0)
                sent_seconds = sender_report ();
            /*  All sent, and nothing more for half a second: the rest was
                dropped. Nothing at all for 30 s: the sender is stuck.     */
            if ((sent_seconds >= 0 && now_s () - last > 0.5)
                || now_s () - last > 30)
                break;
            continue;
        }
        const char *group = zmq_msg_group (&msg);
        if (group && strcmp (group, "s") == 0)
            continue;
        long seq = -1;
        if (zmq_msg_size (&msg) == message_size && group
            && strcmp (group, "b") == 0) {
            uint32_t s;
            memcpy (&s, zmq_msg_data (&msg), sizeof s);
            seq = s;
        }
        if (seq <= previous || seq >= message_count) {
            fprintf (stderr, "udp_bench: message %ld received is wrong (group"
                             " %s, %zu bytes, sequence number %ld after %ld)\n",
                     received, group ? group : "(none)", zmq_msg_size (&msg),
                     seq, previous);
            kill (child, SIGKILL);
            return 1;
        }
        previous = seq;
        last = now_s ();
        if (received++ == 0)
            first = last;
    }
    zmq_msg_close (&msg);
    while (sent_seconds < 0 && now_s () - last < 30)
        if ((sent_seconds = sender_report ()) < 0)
            sleep_until (now_s () + 0.01);
    close (go_pipe[1]);
    int status;
    if (waitpid (child, &status, 0) != child || !WIFEXITED (status)
        || WEXITSTATUS (status) != 0 || sent_seconds < 0) {
        fprintf (stderr, "udp_bench: the RADIO process failed\n");
        return 1;
    }
    child = -1;
    zmq_close (dish);
    zmq_ctx_term (ctx);

    /*  The first message starts the clock: received-1 were timed.         */
    double seconds = received > 1 ? last - first : 0;
    double per_s = seconds > 0 ? (double) (received - 1) / seconds : 0;
    printf ("udp size=%zu count=%ld sent_per_s=%.0f received=%ld "
            "dropped=%ld fraction=%.6f seconds=%.4f msgs_per_s=%.0f "
            "MB_per_s=%.1f rcvbuf=%d\n",
            message_size, message_count,
            sent_seconds > 0 ? (double) message_count / sent_seconds : 0,
            received, message_count - received,
            (double) received / (double) message_count, seconds,
            per_s, per_s * (double) message_size / 1e6, rcvbuf);
    return 0;
}

int main (int argc, char *argv[])
{
    if (argc != 3 && argc != 4) {
        fprintf (stderr, "usage: udp_bench SIZE COUNT [RATE]\n");
        return 2;
    }
    message_size = (size_t) atol (argv[1]);
    message_count = atol (argv[2]);
    rate = argc == 4 ? atof (argv[3]) : 0;
    if (message_size < sizeof (uint32_t) || message_size > MAX_BODY
        || message_count < 2 || message_count > UINT32_MAX || rate < 0) {
        fprintf (stderr, "udp_bench: SIZE must be 4 to %d, COUNT at least 2,"
                         " RATE not negative\n", MAX_BODY);
        return 2;
    }
    return run ();
}
