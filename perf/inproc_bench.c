/*  In-process benchmarks of a libzmq.so.5 (whichever the loader finds):

      inproc_bench thr SIZE COUNT       PUSH/PULL throughput: a sender thread
                                        (zmq_threadstart) pushes COUNT
                                        messages of SIZE bytes; main pulls
                                        them and times from the first to the
                                        last.
      inproc_bench lat SIZE ROUNDTRIPS  REQ/REP round trips: main's REQ and
                                        an echoing REP thread; mean time per
                                        round trip.

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

static size_t message_size;
static long message_count;

static void die (const char *what)
{
    fprintf (stderr, "inproc_bench: %s: %s\n", what,
             zmq_strerror (zmq_errno ()));
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

/*  Where the sockets meet: inproc by default, or a tcp/ipc endpoint to bind
    (e.g. tcp://127.0.0.1:*); the connecting side uses ZMQ_LAST_ENDPOINT.  */
static const char *bind_endpoint;
static char endpoint[256];

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

static void thr_sender (void *ctx)
{
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    if (!push)
        die ("zmq_socket");
    curve_client (push);
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
    zmq_close (push);
}

static int run_thr (void)
{
    void *ctx = zmq_ctx_new ();
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    if (!pull)
        die ("zmq_socket");
    curve_server (pull);
    if (zmq_bind (pull, bind_endpoint ? bind_endpoint : "inproc://bench-thr") == -1)
        die ("zmq_bind");
    resolve_endpoint (pull, "inproc://bench-thr");
    /*  A hang guard, not a measurement: a library that loses messages
        (Debian's libzmq 4.3.4 now and then does over ipc) ends the run.  */
    int timeout_ms = 30000;
    if (zmq_setsockopt (pull, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms)
        == -1)
        die ("zmq_setsockopt (RCVTIMEO)");
    void *sender = zmq_threadstart (thr_sender, ctx);

    zmq_msg_t msg;
    zmq_msg_init (&msg);
    double start = 0;
    for (long i = 0; i < message_count; i++) {
        if (zmq_msg_recv (&msg, pull, 0) == -1) {
            fprintf (stderr, "inproc_bench: message %ld of %ld: %s\n", i,
                     message_count, zmq_strerror (zmq_errno ()));
            return 3;
        }
        if (i == 0)
            start = now_s ();
        if (zmq_msg_size (&msg) != message_size
            || !stamped (zmq_msg_data (&msg), i)) {
            fprintf (stderr, "inproc_bench: message %ld is wrong\n", i);
            return 1;
        }
    }
    double seconds = now_s () - start;
    zmq_msg_close (&msg);
    zmq_threadclose (sender);
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
    zmq_close (rep);
}

static int run_lat (void)
{
    void *ctx = zmq_ctx_new ();
    void *req = zmq_socket (ctx, ZMQ_REQ);
    if (!req)
        die ("zmq_socket");
    curve_server (req);
    if (zmq_bind (req, bind_endpoint ? bind_endpoint : "inproc://bench-lat") == -1)
        die ("zmq_bind");
    resolve_endpoint (req, "inproc://bench-lat");
    void *echo = zmq_threadstart (lat_echo, ctx);

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
            return 1;
        }
        zmq_msg_close (&msg);
    }
    double seconds = now_s () - start;
    zmq_threadclose (echo);
    zmq_close (req);
    zmq_ctx_term (ctx);
    printf ("lat size=%zu roundtrips=%ld seconds=%.4f mean_us=%.3f\n",
            message_size, message_count, seconds,
            seconds * 1e6 / (double) message_count);
    return 0;
}

int main (int argc, char *argv[])
{
    if ((argc != 4 && argc != 5) || (strcmp (argv[1], "thr") != 0
                      && strcmp (argv[1], "lat") != 0)) {
        fprintf (stderr, "usage: inproc_bench thr SIZE COUNT [BIND-ENDPOINT]\n"
                         "       inproc_bench lat SIZE ROUNDTRIPS [BIND-ENDPOINT]\n");
        return 2;
    }
    message_size = (size_t) atol (argv[2]);
    message_count = atol (argv[3]);
    bind_endpoint = argc == 5 ? argv[4] : NULL;
    setup_curve ();
    if (message_count < 2) {
        fprintf (stderr, "inproc_bench: COUNT must be at least 2\n");
        return 2;
    }
    return strcmp (argv[1], "thr") == 0 ? run_thr () : run_lat ();
}
