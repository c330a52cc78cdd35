/*  Minimal test harness for the C tests in c-tests/.

    A program is a list of cases. main() calls RUN_CASE(fn) for each; every
    case runs in a forked child (so one failing or hanging case does not hide
    the others) under an alarm (TESTUTIL_CASE_TIMEOUT seconds, a hang guard).
    The child must not inherit libzmq state: main() creates no context.

    Output, one line per case, parsed by c-tests/run:
        ok   <case>
        FAIL <case>: <file>:<line>: <what>
    and at the end `summary: <passed> passed, <failed> failed`. The exit
    status is 0 only if every case passed.

    Checks abort the case at the first failure:
        CHECK(cond)                  any condition
        CHECK_EQ(a, b)               integers, printed on failure
        CHECK_OK(expr)               a zmq call that must not return -1
        CHECK_ERR(expr, err)         a zmq call that must return -1, errno err
        CHECK_STR(a, b)              NUL-terminated strings
*/
#ifndef TESTUTIL_H_INCLUDED
#define TESTUTIL_H_INCLUDED

#define _GNU_SOURCE

#include <zmq.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef TESTUTIL_CASE_TIMEOUT
#define TESTUTIL_CASE_TIMEOUT 20
#endif

static const char *testutil_case_name = "?";

static void testutil_fail (const char *file, int line, const char *fmt, ...)
  __attribute__ ((noreturn, format (printf, 3, 4)));

static void testutil_fail (const char *file, int line, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (what, sizeof what, fmt, ap);
    va_end (ap);
    printf ("FAIL %s: %s:%d: %s\n", testutil_case_name, file, line, what);
    fflush (stdout);
    _exit (1);
}

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond))                                                           \
            testutil_fail (__FILE__, __LINE__, "check failed: %s", #cond);     \
    } while (0)

#define CHECK_EQ(a, b)                                                         \
    do {                                                                       \
        long long testutil_a_ = (long long) (a);                               \
        long long testutil_b_ = (long long) (b);                               \
        if (testutil_a_ != testutil_b_)                                        \
            testutil_fail (__FILE__, __LINE__, "%s == %s: got %lld, want %lld", \
                           #a, #b, testutil_a_, testutil_b_);                  \
    } while (0)

#define CHECK_OK(expr)                                                         \
    do {                                                                       \
        if ((expr) == -1) {                                                    \
            int testutil_e_ = zmq_errno ();                                    \
            testutil_fail (__FILE__, __LINE__, "%s failed: errno %d (%s)",     \
                           #expr, testutil_e_, zmq_strerror (testutil_e_));    \
        }                                                                      \
    } while (0)

#define CHECK_ERR(expr, err)                                                   \
    do {                                                                       \
        int testutil_rc_ = (int) (expr);                                       \
        int testutil_e_ = zmq_errno ();                                        \
        if (testutil_rc_ != -1)                                                \
            testutil_fail (__FILE__, __LINE__,                                 \
                           "%s: got %d, want -1 with errno %s", #expr,         \
                           testutil_rc_, #err);                                \
        if (testutil_e_ != (err))                                              \
            testutil_fail (__FILE__, __LINE__,                                 \
                           "%s: errno %d (%s), want %s (%d)", #expr,           \
                           testutil_e_, zmq_strerror (testutil_e_), #err,      \
                           (int) (err));                                       \
    } while (0)

#define CHECK_STR(a, b)                                                        \
    do {                                                                       \
        const char *testutil_sa_ = (a);                                        \
        const char *testutil_sb_ = (b);                                        \
        if (testutil_sa_ == NULL || strcmp (testutil_sa_, testutil_sb_) != 0)  \
            testutil_fail (__FILE__, __LINE__, "%s: got \"%s\", want \"%s\"",   \
                           #a, testutil_sa_ ? testutil_sa_ : "(null)",         \
                           testutil_sb_);                                      \
    } while (0)

/*  A non-NULL pointer from a zmq call (socket, context, ...).               */
#define CHECK_PTR(expr)                                                        \
    do {                                                                       \
        if ((expr) == NULL) {                                                  \
            int testutil_e_ = zmq_errno ();                                    \
            testutil_fail (__FILE__, __LINE__, "%s is NULL: errno %d (%s)",    \
                           #expr, testutil_e_, zmq_strerror (testutil_e_));    \
        }                                                                      \
    } while (0)

/*  Monotonic milliseconds, independent of the library under test.          */
static inline int64_t now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void sleep_ms (int ms)
{
    struct timespec ts = {ms / 1000, (long) (ms % 1000) * 1000000L};
    while (nanosleep (&ts, &ts) == -1 && errno == EINTR) {
    }
}

/*  Sends a string frame; checks that the whole frame went out.             */
#define SEND_STR(sock, str, flags)                                             \
    CHECK_EQ (zmq_send ((sock), (str), strlen (str), (flags)),                 \
              (int) strlen (str))

/*  Receives one frame and checks its content and the MORE flag.            */
#define RECV_STR(sock, str, more)                                              \
    do {                                                                       \
        char testutil_buf_[256];                                               \
        int testutil_n_ =                                                      \
          zmq_recv ((sock), testutil_buf_, sizeof testutil_buf_ - 1, 0);       \
        CHECK_OK (testutil_n_);                                                \
        CHECK (testutil_n_ < (int) sizeof testutil_buf_);                      \
        testutil_buf_[testutil_n_] = 0;                                        \
        CHECK_STR (testutil_buf_, (str));                                      \
        int testutil_more_ = 0;                                                \
        size_t testutil_sz_ = sizeof testutil_more_;                           \
        CHECK_OK (zmq_getsockopt ((sock), ZMQ_RCVMORE, &testutil_more_,        \
                                  &testutil_sz_));                             \
        CHECK_EQ (testutil_more_, (more));                                     \
    } while (0)

static inline void set_int (void *sock, int option, int value)
{
    if (zmq_setsockopt (sock, option, &value, sizeof value) == -1)
        testutil_fail (__FILE__, __LINE__, "setsockopt(%d, %d): %s", option,
                       value, zmq_strerror (zmq_errno ()));
}

static inline int get_int (void *sock, int option)
{
    int value = -12345;
    size_t size = sizeof value;
    if (zmq_getsockopt (sock, option, &value, &size) == -1)
        testutil_fail (__FILE__, __LINE__, "getsockopt(%d): %s", option,
                       zmq_strerror (zmq_errno ()));
    if (size != sizeof value)
        testutil_fail (__FILE__, __LINE__, "getsockopt(%d): size %zu", option,
                       size);
    return value;
}

/*  Closes a socket with linger 0, as a test's cleanup.                     */
static inline void close_zero_linger (void *sock)
{
    set_int (sock, ZMQ_LINGER, 0);
    if (zmq_close (sock) == -1)
        testutil_fail (__FILE__, __LINE__, "zmq_close: %s",
                       zmq_strerror (zmq_errno ()));
}

static int testutil_passed = 0;
static int testutil_failed = 0;

static void run_case (const char *name, void (*fn) (void))
{
    fflush (stdout);
    fflush (stderr);
    pid_t pid = fork ();
    if (pid == -1) {
        perror ("fork");
        exit (2);
    }
    if (pid == 0) {
        testutil_case_name = name;
        alarm (TESTUTIL_CASE_TIMEOUT);
        fn ();
        fflush (stdout);
        _exit (0);
    }
    int status = 0;
    while (waitpid (pid, &status, 0) == -1 && errno == EINTR) {
    }
    if (WIFEXITED (status) && WEXITSTATUS (status) == 0) {
        printf ("ok   %s\n", name);
        testutil_passed++;
    } else {
        /*  A failed check already printed its FAIL line.                   */
        if (WIFSIGNALED (status)) {
            int sig = WTERMSIG (status);
            printf ("FAIL %s: %s (signal %d)\n", name,
                    sig == SIGALRM ? "timed out" : strsignal (sig), sig);
        }
        testutil_failed++;
    }
    fflush (stdout);
}

#define RUN_CASE(fn) run_case (#fn, fn)

static inline int testutil_summary (void)
{
    printf ("summary: %d passed, %d failed\n", testutil_passed,
            testutil_failed);
    return testutil_failed == 0 ? 0 : 1;
}

#endif
