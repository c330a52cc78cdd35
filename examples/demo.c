/*  A tour of libzmq over inproc, in one process with a few threads:

    1. hello world: a REQ client and a REP server;
    2. a task farm ("divide and conquer"): a ventilator PUSHes tasks to four
       workers, which PUSH results to a sink; a PUB socket tells the workers
       to stop;
    3. a weather feed: a PUB server publishes updates for many zip codes, a
       SUB client keeps those of one zip code and averages them.

    Each part checks its results; the program exits 0 only when all do.
    Build and run with `make demo`.                                         */
#define _GNU_SOURCE
#include <zmq.h>

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define VERIFY(cond, ...)                                                      \
    do {                                                                       \
        if (!(cond)) {                                                         \
            printf ("  FAILED: " __VA_ARGS__);                                 \
            printf ("\n");                                                     \
            failures++;                                                        \
        }                                                                      \
    } while (0)

/*  Aborts on a failed call that leaves nothing sensible to check.          */
#define MUST(expr)                                                             \
    do {                                                                       \
        if ((expr) == -1) {                                                    \
            fprintf (stderr, "demo: %s: %s\n", #expr,                          \
                     zmq_strerror (zmq_errno ()));                             \
            exit (1);                                                          \
        }                                                                      \
    } while (0)

static int recv_str (void *s, char *buf, size_t size)
{
    int n = zmq_recv (s, buf, size - 1, 0);
    if (n < 0)
        return n;
    if ((size_t) n > size - 1)
        n = (int) size - 1;
    buf[n] = 0;
    return n;
}

/*  ---------------------------------------------------------------------- */
/*  1. Hello world                                                          */
/*  ---------------------------------------------------------------------- */

static void hello_server (void *ctx)
{
    void *rep = zmq_socket (ctx, ZMQ_REP);
    MUST (zmq_connect (rep, "inproc://hello"));
    char buf[32];
    for (int i = 0; i < 3; i++) {
        if (recv_str (rep, buf, sizeof buf) < 0)
            break;
        char reply[48];
        snprintf (reply, sizeof reply, "World (to %s)", buf);
        zmq_send (rep, reply, strlen (reply), 0);
    }
    zmq_close (rep);
}

static void hello_world (void *ctx)
{
    printf ("1. hello world (REQ/REP)\n");
    void *req = zmq_socket (ctx, ZMQ_REQ);
    MUST (zmq_bind (req, "inproc://hello"));
    void *server = zmq_threadstart (hello_server, ctx);
    for (int i = 0; i < 3; i++) {
        char request[16], reply[64], want[64];
        snprintf (request, sizeof request, "Hello #%d", i + 1);
        MUST (zmq_send (req, request, strlen (request), 0));
        MUST (recv_str (req, reply, sizeof reply));
        printf ("  sent \"%s\", got \"%s\"\n", request, reply);
        snprintf (want, sizeof want, "World (to %s)", request);
        VERIFY (strcmp (reply, want) == 0, "reply \"%s\", want \"%s\"", reply,
                want);
    }
    zmq_threadclose (server);
    zmq_close (req);
}

/*  ---------------------------------------------------------------------- */
/*  2. Task farm                                                            */
/*  ---------------------------------------------------------------------- */

enum { WORKERS = 4, TASKS = 2000 };

typedef struct
{
    uint32_t task;
    uint32_t n;
} task_t;

typedef struct
{
    uint32_t task;
    uint32_t worker;
    uint64_t value;
} result_t;

/*  The work: the sum of the squares of 1..n, done the slow way.            */
static uint64_t work (uint32_t n)
{
    uint64_t sum = 0;
    for (uint64_t i = 1; i <= n; i++)
        sum += i * i;
    return sum;
}

typedef struct
{
    void *ctx;
    uint32_t id;
} worker_arg_t;

static void worker (void *arg)
{
    worker_arg_t *w = arg;
    void *tasks = zmq_socket (w->ctx, ZMQ_PULL);
    void *results = zmq_socket (w->ctx, ZMQ_PUSH);
    void *control = zmq_socket (w->ctx, ZMQ_SUB);
    MUST (zmq_connect (tasks, "inproc://tasks"));
    MUST (zmq_connect (results, "inproc://results"));
    MUST (zmq_connect (control, "inproc://control"));
    MUST (zmq_setsockopt (control, ZMQ_SUBSCRIBE, "", 0));
    /*  Tell the sink this worker is connected: a result with no task.      */
    result_t ready = {UINT32_MAX - 1, w->id, 0};
    zmq_send (results, &ready, sizeof ready, 0);

    zmq_pollitem_t items[2] = {{tasks, 0, ZMQ_POLLIN, 0},
                               {control, 0, ZMQ_POLLIN, 0}};
    for (;;) {
        if (zmq_poll (items, 2, -1) == -1)
            break;
        if (items[1].revents & ZMQ_POLLIN) {
            char cmd[16];
            if (recv_str (control, cmd, sizeof cmd) >= 0
                && strcmp (cmd, "KILL") == 0)
                break;
        }
        if (items[0].revents & ZMQ_POLLIN) {
            task_t t;
            if (zmq_recv (tasks, &t, sizeof t, 0) != sizeof t)
                continue;
            result_t r = {t.task, w->id, work (t.n)};
            zmq_send (results, &r, sizeof r, 0);
        }
    }
    /*  Say goodbye on the results channel: a result with no task.         */
    result_t bye = {UINT32_MAX, w->id, 0};
    zmq_send (results, &bye, sizeof bye, 0);
    zmq_close (tasks);
    zmq_close (results);
    zmq_close (control);
}

static void task_farm (void *ctx)
{
    printf ("2. task farm (PUSH/PULL ventilator, %d workers, sink; PUB kill "
            "signal)\n",
            WORKERS);
    void *ventilator = zmq_socket (ctx, ZMQ_PUSH);
    void *sink = zmq_socket (ctx, ZMQ_PULL);
    void *control = zmq_socket (ctx, ZMQ_PUB);
    MUST (zmq_bind (ventilator, "inproc://tasks"));
    MUST (zmq_bind (sink, "inproc://results"));
    MUST (zmq_bind (control, "inproc://control"));

    worker_arg_t args[WORKERS];
    void *threads[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        args[i].ctx = ctx;
        args[i].id = (uint32_t) i;
        threads[i] = zmq_threadstart (worker, &args[i]);
    }

    /*  Wait until every worker is connected, so that the tasks are shared
        out among all four (PUSH only deals to the peers it has).           */
    for (int ready = 0; ready < WORKERS;) {
        result_t r;
        if (zmq_recv (sink, &r, sizeof r, 0) != sizeof r)
            break;
        if (r.task == UINT32_MAX - 1)
            ready++;
    }

    void *watch = zmq_stopwatch_start ();
    uint64_t expected = 0;
    uint32_t seed = 12345;
    for (uint32_t t = 0; t < TASKS; t++) {
        seed = seed * 1103515245u + 12345u;
        task_t task = {t, 100 + (seed >> 16) % 1000};
        expected += work (task.n);
        MUST (zmq_send (ventilator, &task, sizeof task, 0));
    }

    static uint8_t seen[TASKS];
    uint64_t total = 0;
    int per_worker[WORKERS] = {0};
    int results = 0, duplicates = 0;
    while (results < TASKS) {
        result_t r;
        if (zmq_recv (sink, &r, sizeof r, 0) != sizeof r)
            break;
        if (r.task >= TASKS || r.worker >= WORKERS)
            continue;
        if (seen[r.task]++)
            duplicates++;
        total += r.value;
        per_worker[r.worker]++;
        results++;
    }
    unsigned long elapsed_us = zmq_stopwatch_stop (watch);
    printf ("  %d tasks done in %.1f ms; tasks per worker:", results,
            elapsed_us / 1000.0);
    for (int i = 0; i < WORKERS; i++)
        printf (" %d", per_worker[i]);
    printf ("\n  sum of results %llu, expected %llu\n",
            (unsigned long long) total, (unsigned long long) expected);
    VERIFY (results == TASKS, "%d results, want %d", results, TASKS);
    VERIFY (duplicates == 0, "%d duplicate results", duplicates);
    VERIFY (total == expected, "sum %llu, want %llu",
            (unsigned long long) total, (unsigned long long) expected);
    int busy = 0;
    for (int i = 0; i < WORKERS; i++)
        busy += per_worker[i] > 0;
    VERIFY (busy == WORKERS, "only %d of %d workers got tasks", busy,
            WORKERS);

    /*  Stop the workers. A subscription may still be on its way (the
        "slow joiner"), so repeat the signal until every worker has said
        goodbye.                                                           */
    int byes = 0;
    int timeout = 100;
    MUST (zmq_setsockopt (sink, ZMQ_RCVTIMEO, &timeout, sizeof timeout));
    for (int round = 0; byes < WORKERS && round < 100; round++) {
        zmq_send (control, "KILL", 4, 0);
        result_t r;
        while (byes < WORKERS && zmq_recv (sink, &r, sizeof r, 0) == sizeof r)
            if (r.task == UINT32_MAX)
                byes++;
    }
    printf ("  %d workers stopped by the KILL broadcast\n", byes);
    VERIFY (byes == WORKERS, "%d of %d workers stopped", byes, WORKERS);
    for (int i = 0; i < WORKERS; i++)
        zmq_threadclose (threads[i]);
    zmq_close (ventilator);
    zmq_close (sink);
    zmq_close (control);
}

/*  ---------------------------------------------------------------------- */
/*  3. Weather feed                                                         */
/*  ---------------------------------------------------------------------- */

static atomic_int stop_feed;
static atomic_long updates_published;

static void weather_server (void *ctx)
{
    void *pub = zmq_socket (ctx, ZMQ_PUB);
    MUST (zmq_bind (pub, "inproc://weather"));
    uint32_t seed = 42;
    while (!atomic_load (&stop_feed)) {
        seed = seed * 1103515245u + 12345u;
        int zip = 10000 + (int) ((seed >> 8) % 20);
        seed = seed * 1103515245u + 12345u;
        /*  Zip 10001 always reads between 10 and 29 degrees.              */
        int temperature = zip == 10001 ? 10 + (int) ((seed >> 8) % 20)
                                       : (int) ((seed >> 8) % 80) - 20;
        int humidity = 10 + (int) ((seed >> 16) % 50);
        char update[64];
        int len = snprintf (update, sizeof update, "%05d %d %d", zip,
                            temperature, humidity);
        if (zmq_send (pub, update, (size_t) len, 0) == -1)
            break;
        atomic_fetch_add (&updates_published, 1);
    }
    zmq_close (pub);
}

static void weather_feed (void *ctx)
{
    enum { WANTED = 100 };
    printf ("3. weather feed (PUB/SUB, filter \"10001 \")\n");
    void *server = zmq_threadstart (weather_server, ctx);
    void *sub = zmq_socket (ctx, ZMQ_SUB);
    /*  Connecting before the server binds is fine with inproc.             */
    MUST (zmq_connect (sub, "inproc://weather"));
    MUST (zmq_setsockopt (sub, ZMQ_SUBSCRIBE, "10001 ", 6));
    int timeout = 10000;
    MUST (zmq_setsockopt (sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout));
    long sum = 0;
    int got = 0, wrong_zip = 0, out_of_range = 0;
    for (; got < WANTED; got++) {
        char update[64];
        if (recv_str (sub, update, sizeof update) < 0)
            break;
        int zip = 0, temperature = 0, humidity = 0;
        if (sscanf (update, "%d %d %d", &zip, &temperature, &humidity) != 3
            || zip != 10001)
            wrong_zip++;
        if (temperature < 10 || temperature > 29)
            out_of_range++;
        sum += temperature;
    }
    atomic_store (&stop_feed, 1);
    zmq_threadclose (server);
    long published = atomic_load (&updates_published);
    printf ("  %d updates for zip 10001 out of %ld published; average "
            "temperature %.1f\n",
            got, published, got ? (double) sum / got : 0.0);
    VERIFY (got == WANTED, "%d updates, want %d", got, WANTED);
    VERIFY (wrong_zip == 0, "%d updates for another zip code", wrong_zip);
    VERIFY (out_of_range == 0, "%d temperatures out of range", out_of_range);
    VERIFY (published > got, "published %ld, received %d", published, got);
    zmq_close (sub);
}

int main (void)
{
    int major, minor, patch;
    zmq_version (&major, &minor, &patch);
    printf ("libzmq %d.%d.%d (header %d.%d.%d)\n", major, minor, patch,
            ZMQ_VERSION_MAJOR, ZMQ_VERSION_MINOR, ZMQ_VERSION_PATCH);
    void *ctx = zmq_ctx_new ();
    if (!ctx) {
        fprintf (stderr, "demo: zmq_ctx_new: %s\n", zmq_strerror (zmq_errno ()));
        return 1;
    }
    hello_world (ctx);
    task_farm (ctx);
    weather_feed (ctx);
    MUST (zmq_ctx_term (ctx));
    if (failures) {
        printf ("demo: %d checks FAILED\n", failures);
        return 1;
    }
    printf ("demo: all checks passed\n");
    return 0;
}
