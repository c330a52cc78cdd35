/* The library's side of tests/browser/run: a ROUTER (routing id
 * "zmq-router") bound on ws://127.0.0.1:*, which the page (page.js) reaches
 * with the browser's own WebSocket, offering the subprotocol "ZWS2.0" (no
 * handshake, so no metadata: each side's first message is its routing id).
 *
 *     server EXPECTED_LIB TIMEOUT_SECONDS
 *
 * Checks that the libzmq mapped in this process is EXPECTED_LIB, binds,
 * prints "endpoint ws://127.0.0.1:PORT/browser" on stdout, then, for every
 * message of UP (page.js has the same list): receives it from the peer
 * with routing id "browser", checks it byte for byte, and echoes it; then
 * sends DOWN. Last it expects the page's ["RESULT", "ok"]. Exit status 0 only then; 1 with a reason on
 * stderr otherwise. TIMEOUT_SECONDS bounds the whole exchange: a hang
 * guard, not a pass criterion.
 */
#define _XOPEN_SOURCE 700
#include <zmq.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PARTS 8
#define ROUTING_ID "browser"
#define OWN_ROUTING_ID "zmq-router"

struct part {
    const unsigned char *data;
    size_t size;
};

struct message {
    size_t count;
    struct part parts[MAX_PARTS];
};

static double deadline;

static void die (const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    fputs ("server: FAIL: ", stderr);
    vfprintf (stderr, fmt, ap);
    fputc ('\n', stderr);
    va_end (ap);
    exit (1);
}

static double now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* What is left of the hang guard, in ms, for RCVTIMEO/SNDTIMEO. */
static int remaining_ms (void)
{
    double left = deadline - now ();
    return left > 0 ? (int) (left * 1000) + 1 : 1;
}

static unsigned char *pattern (size_t n, unsigned seed)
{
    unsigned char *b = malloc (n ? n : 1);
    if (!b)
        die ("out of memory");
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char) ((i * 7 + seed * 13 + (i >> 8)) & 0xff);
    return b;
}

static struct part text (const char *s)
{
    struct part p = {(const unsigned char *) s, strlen (s)};
    return p;
}

static struct part generated (size_t n, unsigned seed)
{
    struct part p = {pattern (n, seed), n};
    return p;
}

/* page.js's UP (what the page sends; see there why nothing bigger), in
 * the same order. */
static size_t make_up (struct message *up)
{
    size_t n = 0;
    up[n++] = (struct message){3, {text ("hello"), text (""), text ("world")}};
    up[n++] = (struct message){1, {text ("")}};
    up[n++] = (struct message){1, {generated (124, 1)}};
    up[n++] = (struct message){1, {generated (125, 2)}};
    up[n++] = (struct message){1, {generated (65534, 3)}};
    up[n++] = (struct message){1, {generated (65535, 4)}};
    return n;
}

/* page.js's DOWN: what we send after the echoes. */
static size_t make_down (struct message *down)
{
    size_t n = 0;
    down[n++] = (struct message){1, {generated (200000, 5)}};
    down[n++] = (struct message){
      3, {generated (1 << 20, 6), generated (70000, 7), text ("end")}};
    return n;
}

/* The libzmq this process mapped must be the one the runner chose: an
 * LD_LIBRARY_PATH mistake would otherwise test some other library. */
static void check_library (const char *expected)
{
    char want[PATH_MAX], got[PATH_MAX], line[PATH_MAX + 256];
    if (!realpath (expected, want))
        die ("realpath %s: %s", expected, strerror (errno));
    FILE *maps = fopen ("/proc/self/maps", "r");
    if (!maps)
        die ("/proc/self/maps: %s", strerror (errno));
    int found = 0;
    while (fgets (line, sizeof line, maps)) {
        char *path = strchr (line, '/');
        if (!path || !strstr (path, "libzmq"))
            continue;
        path[strcspn (path, "\n")] = '\0';
        if (!realpath (path, got) || strcmp (got, want) != 0)
            die ("mapped %s, not %s", path, want);
        found = 1;
    }
    fclose (maps);
    if (!found)
        die ("no libzmq in /proc/self/maps");
    printf ("library %s\n", want);
}

static void set_int (void *s, int option, int value)
{
    if (zmq_setsockopt (s, option, &value, sizeof value) != 0)
        die ("zmq_setsockopt %d: %s", option, zmq_strerror (zmq_errno ()));
}

/* Receives one message into msgs (parts initialised by the caller, closed
 * by release()); returns the number of parts. */
static size_t receive (void *s, zmq_msg_t *msgs, const char *what)
{
    size_t n = 0;
    int more = 1;
    while (more) {
        if (n == MAX_PARTS + 1)
            die ("%s: more than %d parts", what, MAX_PARTS);
        set_int (s, ZMQ_RCVTIMEO, remaining_ms ());
        zmq_msg_init (&msgs[n]);
        if (zmq_msg_recv (&msgs[n], s, 0) < 0)
            die ("%s: zmq_msg_recv: %s", what,
                 zmq_errno () == EAGAIN ? "timed out (no message from the page)"
                                        : zmq_strerror (zmq_errno ()));
        more = zmq_msg_more (&msgs[n]);
        n++;
    }
    return n;
}

static void release (zmq_msg_t *msgs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        zmq_msg_close (&msgs[i]);
}

static int equals (zmq_msg_t *m, const void *data, size_t size)
{
    return zmq_msg_size (m) == size && memcmp (zmq_msg_data (m), data, size) == 0;
}

static int is_text (zmq_msg_t *m, const char *s)
{
    return equals (m, s, strlen (s));
}

/* A RESULT from the page ends the run, whatever step we were at. */
static void handle_result (zmq_msg_t *msgs, size_t n)
{
    if (n == 3 && is_text (&msgs[2], "ok")) {
        printf ("page reported ok\n");
        return;
    }
    if (n == 4 && is_text (&msgs[2], "fail"))
        die ("the page reported failure: %.*s", (int) zmq_msg_size (&msgs[3]),
             (const char *) zmq_msg_data (&msgs[3]));
    die ("a malformed RESULT (%zu parts)", n);
}

static void send_part (void *s, const void *data, size_t size, int more, const char *what)
{
    set_int (s, ZMQ_SNDTIMEO, remaining_ms ());
    if (zmq_send (s, data, size, more ? ZMQ_SNDMORE : 0) < 0)
        die ("%s: zmq_send: %s", what, zmq_strerror (zmq_errno ()));
}

/* The message to the page, behind its routing id. */
static void send_message (void *s, const struct message *m, const char *what)
{
    send_part (s, ROUTING_ID, strlen (ROUTING_ID), 1, what);
    for (size_t i = 0; i < m->count; i++)
        send_part (s, m->parts[i].data, m->parts[i].size, i + 1 < m->count, what);
}

int main (int argc, char **argv)
{
    if (argc != 3) {
        fprintf (stderr, "usage: %s EXPECTED_LIB TIMEOUT_SECONDS\n", argv[0]);
        return 2;
    }
    setvbuf (stdout, NULL, _IOLBF, 0);
    check_library (argv[1]);
    deadline = now () + atof (argv[2]);

    struct message up[8], down[8];
    size_t steps = make_up (up);
    size_t downs = make_down (down);

    void *ctx = zmq_ctx_new ();
    void *s = zmq_socket (ctx, ZMQ_ROUTER);
    if (!s)
        die ("zmq_socket: %s", zmq_strerror (zmq_errno ()));
    set_int (s, ZMQ_ROUTER_MANDATORY, 1);
    set_int (s, ZMQ_LINGER, 0);
    if (zmq_setsockopt (s, ZMQ_ROUTING_ID, OWN_ROUTING_ID, strlen (OWN_ROUTING_ID)) != 0)
        die ("ZMQ_ROUTING_ID: %s", zmq_strerror (zmq_errno ()));
    if (zmq_bind (s, "ws://127.0.0.1:*/browser") != 0)
        die ("zmq_bind ws://127.0.0.1:*/browser: %s", zmq_strerror (zmq_errno ()));
    char endpoint[256];
    size_t len = sizeof endpoint;
    if (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, endpoint, &len) != 0)
        die ("ZMQ_LAST_ENDPOINT: %s", zmq_strerror (zmq_errno ()));
    printf ("endpoint %s\n", endpoint);

    zmq_msg_t msgs[MAX_PARTS + 1];
    for (size_t step = 0; step <= steps; step++) {
        char what[32];
        snprintf (what, sizeof what, "message %zu", step);
        size_t n = receive (s, msgs, what);
        if (!is_text (&msgs[0], ROUTING_ID))
            die ("%s: routing id of %zu octets, not \"%s\"", what,
                 zmq_msg_size (&msgs[0]), ROUTING_ID);
        if (n >= 3 && is_text (&msgs[1], "RESULT")) {
            handle_result (msgs, n);
            if (step != steps)
                die ("the page reported ok after %zu of %zu messages", step, steps);
            release (msgs, n);
            break;
        }
        if (step == steps)
            die ("%s: expected the page's RESULT, got %zu parts", what, n - 1);
        const struct message *want = &up[step];
        if (n - 1 != want->count)
            die ("%s: %zu parts, expected %zu", what, n - 1, want->count);
        for (size_t i = 0; i < want->count; i++)
            if (!equals (&msgs[i + 1], want->parts[i].data, want->parts[i].size))
                die ("%s part %zu: %zu octets differ from the %zu expected", what,
                     i, zmq_msg_size (&msgs[i + 1]), want->parts[i].size);
        printf ("received message %zu (%zu parts) as sent\n", step, want->count);
        release (msgs, n);
        snprintf (what, sizeof what, "echo %zu", step);
        send_message (s, want, what);
        if (step + 1 == steps)
            for (size_t i = 0; i < downs; i++) {
                snprintf (what, sizeof what, "DOWN[%zu]", i);
                send_message (s, &down[i], what);
                printf ("sent DOWN[%zu] (%zu parts)\n", i, down[i].count);
            }
    }

    zmq_close (s);
    zmq_ctx_term (ctx);
    printf ("PASS\n");
    return 0;
}
