/*  In-process benchmarks of a libzmq.so.5 (whichever the loader finds):

      inproc_bench thr SIZE COUNT       PUSH/PULL throughput: a sender thread
                                        (zmq_threadstart) pushes COUNT
                                        messages of SIZE bytes; main pulls
                                        them and times from the first to the
                                        last.
      inproc_bench lat SIZE ROUNDTRIPS  REQ/REP round trips: main's REQ and
                                        an echoing REP thread; mean time per
                                        round trip.

      inproc_bench has CAPABILITY       prints zmq_has (CAPABILITY): 1 or 0
                                        (perf/run-inproc asks "WS", "WSS").

    A fifth argument is an endpoint to bind instead of inproc (tcp, ipc, ws
    or wss, e.g. ws://127.0.0.1:*); the other side connects to the bound
    socket's ZMQ_LAST_ENDPOINT. A wss endpoint needs BENCH_WSS_CERT and
    BENCH_WSS_KEY in the environment, files holding a PEM certificate for
    "localhost" and its key, which the bound side serves (ZMQ_WSS_CERT_PEM,
    ZMQ_WSS_KEY_PEM); the connecting side trusts BENCH_WSS_TRUST, the PEM
    certificate of their issuer (by default the certificate itself), with
    ZMQ_WSS_TRUST_PEM and checks that it names "localhost"
    (ZMQ_WSS_HOSTNAME). The ZMQ_WSS_* options are draft: build with
    -DZMQ_BUILD_DRAFT_API.

    With BENCH_PROCS=2 in the environment (an endpoint to bind only), the
    connecting side (the sender, or the echoing REP) runs in a second
    process with its own context, as libzmq's remote_thr and remote_lat
    do: each side then has its own io thread, as across machines. The default, one process
    with one context, has both connections served by the same io thread.

    With BENCH_CURVE=1 in the environment the two sockets talk CURVE: the
    bound one is the server, with key pairs made by zmq_curve_keypair (this
    needs a tcp or ipc endpoint; inproc has no security).

    Prints one line of key=value pairs, for perf/run-inproc:
      thr size=64 count=3000000 seconds=0.712 msgs_per_s=4213483 MB_per_s=269.7
      lat size=64 roundtrips=100000 seconds=1.52 mean_us=15.20
    Every received message is checked (size, and a sequence number in its
    first bytes): a wrong message exits 1.                                  */
#define _GNU_SOURCE
#include <zmq.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static size_t message_size;
static long message_count;

/*  The connecting side's process under BENCH_PROCS=2 (0 in that process
    itself): a run that fails must not leave it behind, waiting forever
    for a peer that is gone.                                                */
static pid_t child = -1;

static void end_side (void)
{
    if (child > 0)
        kill (child, SIGKILL);
}

static void die (const char *what)
{
    fprintf (stderr, "inproc_bench: %s: %s\n", what,
             zmq_strerror (zmq_errno ()));
    end_side ();
    exit (1);
}

static double now_s (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

/*  Stamps (or checks) a sequence number in the first bytes of a body.      */
static void stamp (void *data, long seq)
{
    if (message_size >= sizeof (uint32_t)) {
        uint32_t v = (uint32_t) seq;
        memcpy (data, &v, sizeof v);
    }
}

static int stamped (const void *data, long seq)
{
    if (message_size < sizeof (uint32_t))
        return 1;
    uint32_t v;
    memcpy (&v, data, sizeof v);
    return v == (uint32_t) seq;
}

/*  ---------------------------------------------------------------------- */

/*  Where the sockets meet: inproc by default, or an endpoint to bind (e.g.
    tcp://127.0.0.1:*); the connecting side uses ZMQ_LAST_ENDPOINT.       */
static const char *bind_endpoint;
static char endpoint[256];

/*  A wss endpoint's certificate, key and trusted issuer (PEM text), read
    before any fork.                                                        */
static char *wss_cert, *wss_key, *wss_trust;

static char *read_pem (const char *var)
{
    const char *path = getenv (var);
    FILE *f = path ? fopen (path, "rb") : NULL;
    if (!f) {
        fprintf (stderr, "inproc_bench: a wss endpoint needs %s, a PEM file"
                         " (%s)\n", var, path ? path : "unset");
        exit (2);
    }
    /*  A certificate or key is a few KiB; more is not one.              */
    size_t cap = 65536;
    char *b = malloc (cap);
    size_t n = b ? fread (b, 1, cap - 1, f) : 0;
    fclose (f);
    if (n == 0 || n == cap - 1) {
        fprintf (stderr, "inproc_bench: %s is empty or too large\n", path);
        exit (2);
    }
    b[n] = 0;
    return b;
}

static void setup_wss (void)
{
    if (bind_endpoint && strncmp (bind_endpoint, "wss://", 6) == 0) {
        wss_cert = read_pem ("BENCH_WSS_CERT");
        wss_key = read_pem ("BENCH_WSS_KEY");
        wss_trust = getenv ("BENCH_WSS_TRUST") ? read_pem ("BENCH_WSS_TRUST")
                                               : wss_cert;
    }
}

static void set_text (void *s, int option, const char *text)
{
    if (zmq_setsockopt (s, option, text, strlen (text)) == -1)
        die ("zmq_setsockopt (ZMQ_WSS_*)");
}

static void wss_server (void *s)
{
    if (wss_cert) {
        set_text (s, ZMQ_WSS_CERT_PEM, wss_cert);
        set_text (s, ZMQ_WSS_KEY_PEM, wss_key);
    }
}

static void wss_client (void *s)
{
    if (wss_cert) {
        set_text (s, ZMQ_WSS_TRUST_PEM, wss_trust);
        set_text (s, ZMQ_WSS_HOSTNAME, "localhost");
    }
}

/*  CURVE keys for BENCH_CURVE=1, Z85 with terminator.                     */
static int curve;
static char server_public[41], server_secret[41];
static char client_public[41], client_secret[41];

static void setup_curve (void)
{
    const char *v = getenv ("BENCH_CURVE");
    curve = v && strcmp (v, "1") == 0;
    if (!curve)
        return;
    if (zmq_curve_keypair (server_public, server_secret) == -1
        || zmq_curve_keypair (client_public, client_secret) == -1)
        die ("zmq_curve_keypair");
}

static void curve_server (void *s)
{
    int one = 1;
    if (curve
        && (zmq_setsockopt (s, ZMQ_CURVE_SERVER, &one, sizeof one) == -1
            || zmq_setsockopt (s, ZMQ_CURVE_SECRETKEY, server_secret, 41) == -1))
        die ("zmq_setsockopt (CURVE server)");
}

static void curve_client (void *s)
{
    if (curve
        && (zmq_setsockopt (s, ZMQ_CURVE_SERVERKEY, server_public, 41) == -1
            || zmq_setsockopt (s, ZMQ_CURVE_PUBLICKEY, client_public, 41) == -1
            || zmq_setsockopt (s, ZMQ_CURVE_SECRETKEY, client_secret, 41) == -1))
        die ("zmq_setsockopt (CURVE client)");
}

static void resolve_endpoint (void *bound, const char *fallback)
{
    size_t len = sizeof endpoint;
    if (!bind_endpoint) {
        snprintf (endpoint, sizeof endpoint, "%s", fallback);
        return;
    }
    if (zmq_getsockopt (bound, ZMQ_LAST_ENDPOINT, endpoint, &len) == -1)
        die ("zmq_getsockopt");
}

/*  BENCH_PROCS=2: the connecting side in a child process. The fork comes
    before either side makes a context (a child of a process with running
    io threads may only call async-signal-safe functions); the bound
    endpoint reaches the child through a pipe.                              */
static int split;
static int endpoint_pipe[2];
/*  Closed by the parent once it has everything: the child holds its socket
    open until then. Debian's libzmq 4.3.4 over ipc loses the last thousand
    or so messages now and then when the sender closes while they are in
    flight; the sender waiting keeps that bug out of the measurement.      */
static int done_pipe[2];

static void setup_split (void)
{
    const char *v = getenv ("BENCH_PROCS");
    split = v && strcmp (v, "2") == 0;
    if (split && !bind_endpoint) {
        fprintf (stderr, "inproc_bench: BENCH_PROCS=2 needs an endpoint "
                         "to bind\n");
        exit (2);
    }
}

/*  In the parent: starts the child, which waits for the endpoint, then
    runs `side` in a context of its own and exits. Returns in the parent.  */
static void fork_side (void (*side) (void *))
{
    pid_t parent = getpid ();
    if (pipe (endpoint_pipe) == -1 || pipe (done_pipe) == -1) {
        perror ("inproc_bench: pipe");
        exit (1);
    }
    fflush (NULL);
    child = fork ();
    if (child == -1) {
        perror ("inproc_bench: fork");
        exit (1);
    }
    if (child > 0) {
        close (endpoint_pipe[0]);
        close (done_pipe[0]);
        return;
    }
    /*  A parent killed from outside (run-inproc's timeout) takes the child
        with it, even one blocked in a send.                                */
    if (prctl (PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid () != parent)
        _exit (1);
    close (endpoint_pipe[1]);
    close (done_pipe[1]);
    size_t got = 0;
    while (got < sizeof endpoint - 1) {
        ssize_t n = read (endpoint_pipe[0], endpoint + got,
                          sizeof endpoint - 1 - got);
        if (n <= 0)
            break;
        got += (size_t) n;
    }
    endpoint[got] = 0;
    if (got == 0)
        _exit (1);
    void *ctx = zmq_ctx_new ();
    side (ctx);
    zmq_ctx_term (ctx);
    _exit (0);
}

/*  In the parent, once bound: hands the child the endpoint.               */
static void release_side (void)
{
    size_t len = strlen (endpoint);
    if (write (endpoint_pipe[1], endpoint, len) != (ssize_t) len) {
        perror ("inproc_bench: write");
        end_side ();
        exit (1);
    }
    close (endpoint_pipe[1]);
}

/*  In the child, before closing its socket: waits for the parent to have
    received everything (or to be gone).                                    */
static void wait_for_parent (void)
{
    if (!split)
        return;
    char c;
    while (read (done_pipe[0], &c, 1) > 0)
        ;
}

/*  In the parent, when a receive fails: whether the child is gone. It holds
    its socket until the parent closes done_pipe, so any exit before that
    is a failure (a crash, or an error it reported).                        */
static int side_died (void)
{
    int status;
    if (!split || child <= 0 || waitpid (child, &status, WNOHANG) != child)
        return 0;
    child = -1;
    return 1;
}

/*  In the parent, at the end: 0 if the child exited cleanly.               */
static int reap_side (void)
{
    int status;
    close (done_pipe[1]);
    if (waitpid (child, &status, 0) == -1)
        return -1;
    return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : -1;
}

/*  The bound socket of a test, of TYPE (a CURVE server under BENCH_CURVE),
    and the other side started: `other` in a thread (*thread), or, under
    BENCH_PROCS=2, the child process given the endpoint (*thread NULL).     */
static void *bound_side (void *ctx, int type, const char *inproc,
                         void (*other) (void *), void **thread)
{
    void *s = zmq_socket (ctx, type);
    if (!s)
        die ("zmq_socket");
    curve_server (s);
    wss_server (s);
    if (zmq_bind (s, bind_endpoint ? bind_endpoint : inproc) == -1)
        die ("zmq_bind");
    resolve_endpoint (s, inproc);
    /*  A hang guard, not a measurement: a library that loses messages
        (Debian's libzmq 4.3.4 now and then does over ipc), or a side that
        died (even before it connected: REQ's send waits for a peer), ends
        the run.                                                            */
    int timeout_ms = 30000;
    if (zmq_setsockopt (s, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms) == -1
        || zmq_setsockopt (s, ZMQ_SNDTIMEO, &timeout_ms, sizeof timeout_ms) == -1)
        die ("zmq_setsockopt (RCVTIMEO, SNDTIMEO)");
    *thread = NULL;
    if (split)
        release_side ();
    else
        *thread = zmq_threadstart (other, ctx);
    return s;
}

/*  Waits for the other side to finish: its thread, or its process, which
    must have exited cleanly (-1 if not).                                   */
static int join_side (void *thread, const char *name)
{
    if (!split) {
        zmq_threadclose (thread);
        return 0;
    }
    if (reap_side () == 0)
        return 0;
    fprintf (stderr, "inproc_bench: the %s process failed\n", name);
    return -1;
}

static void thr_sender (void *ctx)
{
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    if (!push)
        die ("zmq_socket");
    curve_client (push);
    wss_client (push);
    if (zmq_connect (push, endpoint) == -1)
        die ("zmq_connect");
    zmq_msg_t msg;
    for (long i = 0; i < message_count; i++) {
        if (zmq_msg_init_size (&msg, message_size) == -1)
            die ("zmq_msg_init_size");
        stamp (zmq_msg_data (&msg), i);
        if (zmq_msg_send (&msg, push, 0) == -1)
            die ("zmq_msg_send");
    }
    wait_for_parent ();
    zmq_close (push);
}

static int run_thr (void)
{
    if (split)
        fork_side (thr_sender);
    void *ctx = zmq_ctx_new ();
    void *sender;
    void *pull = bound_side (ctx, ZMQ_PULL, "inproc://bench-thr", thr_sender,
                             &sender);

    zmq_msg_t msg;
    zmq_msg_init (&msg);
    double start = 0;
    for (long i = 0; i < message_count; i++) {
        if (zmq_msg_recv (&msg, pull, 0) == -1) {
            fprintf (stderr, "inproc_bench: message %ld of %ld: %s\n", i,
                     message_count, zmq_strerror (zmq_errno ()));
            if (side_died ()) {
                /*  Not a library losing messages (exit 3): a failure.      */
                fprintf (stderr, "inproc_bench: the sending process died\n");
                return 1;
            }
            end_side ();
            return 3;
        }
        if (i == 0)
            start = now_s ();
        if (zmq_msg_size (&msg) != message_size
            || !stamped (zmq_msg_data (&msg), i)) {
            fprintf (stderr, "inproc_bench: message %ld is wrong\n", i);
            end_side ();
            return 1;
        }
    }
    double seconds = now_s () - start;
    zmq_msg_close (&msg);
    if (join_side (sender, "sending") == -1)
        return 1;
    zmq_close (pull);
    zmq_ctx_term (ctx);

    /*  The first message starts the clock: count-1 messages were timed.   */
    double timed = (double) (message_count - 1);
    double rate = seconds > 0 ? timed / seconds : 0;
    printf ("thr size=%zu count=%ld seconds=%.4f msgs_per_s=%.0f "
            "MB_per_s=%.1f\n",
            message_size, message_count, seconds, rate,
            rate * (double) message_size / 1e6);
    return 0;
}

/*  ---------------------------------------------------------------------- */

static void lat_echo (void *ctx)
{
    void *rep = zmq_socket (ctx, ZMQ_REP);
    if (!rep)
        die ("zmq_socket");
    curve_client (rep);
    wss_client (rep);
    if (zmq_connect (rep, endpoint) == -1)
        die ("zmq_connect");
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    for (long i = 0; i < message_count; i++) {
        if (zmq_msg_recv (&msg, rep, 0) == -1)
            die ("zmq_msg_recv (echo)");
        if (zmq_msg_send (&msg, rep, 0) == -1)
            die ("zmq_msg_send (echo)");
    }
    zmq_msg_close (&msg);
    wait_for_parent ();
    zmq_close (rep);
}

static int run_lat (void)
{
    if (split)
        fork_side (lat_echo);
    void *ctx = zmq_ctx_new ();
    void *echo;
    void *req = bound_side (ctx, ZMQ_REQ, "inproc://bench-lat", lat_echo, &echo);

    zmq_msg_t msg;
    double start = now_s ();
    for (long i = 0; i < message_count; i++) {
        if (zmq_msg_init_size (&msg, message_size) == -1)
            die ("zmq_msg_init_size");
        stamp (zmq_msg_data (&msg), i);
        if (zmq_msg_send (&msg, req, 0) == -1)
            die ("zmq_msg_send");
        if (zmq_msg_recv (&msg, req, 0) == -1)
            die ("zmq_msg_recv");
        if (zmq_msg_size (&msg) != message_size
            || !stamped (zmq_msg_data (&msg), i)) {
            fprintf (stderr, "inproc_bench: reply %ld is wrong\n", i);
            end_side ();
            return 1;
        }
        zmq_msg_close (&msg);
    }
    double seconds = now_s () - start;
    if (join_side (echo, "echoing") == -1)
        return 1;
    zmq_close (req);
    zmq_ctx_term (ctx);
    printf ("lat size=%zu roundtrips=%ld seconds=%.4f mean_us=%.3f\n",
            message_size, message_count, seconds,
            seconds * 1e6 / (double) message_count);
    return 0;
}

int main (int argc, char *argv[])
{
    if (argc == 3 && strcmp (argv[1], "has") == 0) {
        printf ("%d\n", zmq_has (argv[2]));
        return 0;
    }
    if ((argc != 4 && argc != 5) || (strcmp (argv[1], "thr") != 0
                      && strcmp (argv[1], "lat") != 0)) {
        fprintf (stderr, "usage: inproc_bench thr SIZE COUNT [BIND-ENDPOINT]\n"
                         "       inproc_bench lat SIZE ROUNDTRIPS [BIND-ENDPOINT]\n"
                         "       inproc_bench has CAPABILITY\n");
        return 2;
    }
    message_size = (size_t) atol (argv[2]);
    message_count = atol (argv[3]);
    bind_endpoint = argc == 5 ? argv[4] : NULL;
    setup_curve ();
    setup_wss ();
    setup_split ();
    if (message_count < 2) {
        fprintf (stderr, "inproc_bench: COUNT must be at least 2\n");
        return 2;
    }
    return strcmp (argv[1], "thr") == 0 ? run_thr () : run_lat ();
}
