/*  Version, errno values, zmq_strerror, zmq_has, and the errors of the
    basic calls on bad arguments.                                           */
#include "testutil.h"

#include <dlfcn.h>

static void version (void)
{
    int major = -1, minor = -1, patch = -1;
    zmq_version (&major, &minor, &patch);
    CHECK_EQ (major, ZMQ_VERSION_MAJOR);
    CHECK_EQ (minor, ZMQ_VERSION_MINOR);
    CHECK_EQ (major, 4);
    CHECK_EQ (minor, 3);
    CHECK (patch >= 0);
    CHECK_EQ (ZMQ_VERSION, ZMQ_MAKE_VERSION (ZMQ_VERSION_MAJOR,
                                             ZMQ_VERSION_MINOR,
                                             ZMQ_VERSION_PATCH));
}

static void errno_values (void)
{
    /*  The ABI: libzmq's own errno numbers.                                 */
    CHECK_EQ (ZMQ_HAUSNUMERO, 156384712);
    CHECK_EQ (EFSM, ZMQ_HAUSNUMERO + 51);
    CHECK_EQ (ENOCOMPATPROTO, ZMQ_HAUSNUMERO + 52);
    CHECK_EQ (ETERM, ZMQ_HAUSNUMERO + 53);
    CHECK_EQ (EMTHREAD, ZMQ_HAUSNUMERO + 54);
    /*  On Linux the POSIX ones are the system's.                           */
    CHECK_EQ (ENOTSUP, 95);
    CHECK_EQ (EHOSTUNREACH, 113);
}

static void strerror_texts (void)
{
    CHECK_STR (zmq_strerror (EFSM),
               "Operation cannot be accomplished in current state");
    CHECK_STR (zmq_strerror (ENOCOMPATPROTO),
               "The protocol is not compatible with the socket type");
    CHECK_STR (zmq_strerror (ETERM), "Context was terminated");
    CHECK_STR (zmq_strerror (EMTHREAD), "No thread available");
    /*  Others come from the C library.                                      */
    CHECK_STR (zmq_strerror (EINVAL), strerror (EINVAL));
    CHECK_STR (zmq_strerror (EAGAIN), strerror (EAGAIN));
    CHECK_STR (zmq_strerror (EINTR), strerror (EINTR));
}

static void errno_is_thread_errno (void)
{
    errno = 0;
    CHECK (zmq_socket (NULL, ZMQ_PAIR) == NULL);
    CHECK_EQ (errno, EFAULT);
    CHECK_EQ (zmq_errno (), EFAULT);
    errno = EINTR;
    CHECK_EQ (zmq_errno (), EINTR);
}

static void has (void)
{
    CHECK_EQ (zmq_has ("no-such-capability"), 0);
    CHECK_EQ (zmq_has (""), 0);
    CHECK_EQ (zmq_has ("ipc"), 1);
    /*  "draft" is advertised exactly when the draft API is exported.       */
    int draft_exported = dlsym (RTLD_DEFAULT, "zmq_poller_new") != NULL;
    CHECK_EQ (zmq_has ("draft") != 0, draft_exported);
    /*  A library that advertises "curve" can make keys. (Ours makes keys
        before it advertises the CURVE mechanism, which is not there yet.) */
    char pub[41], sec[41];
    int curve_ok = zmq_curve_keypair (pub, sec) == 0;
    if (!curve_ok)
        CHECK_EQ (zmq_errno (), ENOTSUP);
    if (zmq_has ("curve"))
        CHECK (curve_ok);
}

static void bad_handles (void)
{
    CHECK_ERR (zmq_ctx_term (NULL), EFAULT);
    CHECK_ERR (zmq_ctx_shutdown (NULL), EFAULT);
    CHECK_ERR (zmq_ctx_set (NULL, ZMQ_IO_THREADS, 1), EFAULT);
    CHECK_ERR (zmq_ctx_get (NULL, ZMQ_IO_THREADS), EFAULT);
    CHECK_ERR (zmq_close (NULL), ENOTSOCK);
    CHECK_ERR (zmq_bind (NULL, "inproc://x"), ENOTSOCK);
    CHECK_ERR (zmq_connect (NULL, "inproc://x"), ENOTSOCK);
    CHECK_ERR (zmq_send (NULL, "x", 1, 0), ENOTSOCK);
    char buf[4];
    CHECK_ERR (zmq_recv (NULL, buf, sizeof buf, 0), ENOTSOCK);
    int v;
    size_t sz = sizeof v;
    CHECK_ERR (zmq_getsockopt (NULL, ZMQ_TYPE, &v, &sz), ENOTSOCK);
    CHECK_ERR (zmq_setsockopt (NULL, ZMQ_LINGER, &v, sizeof v), ENOTSOCK);
    /*  A context is not a socket (libzmq checks a tag).                    */
    void *ctx = zmq_ctx_new ();
    CHECK_PTR (ctx);
    CHECK_ERR (zmq_close (ctx), ENOTSOCK);
    CHECK_ERR (zmq_send (ctx, "x", 1, 0), ENOTSOCK);
    void *s = zmq_socket (ctx, ZMQ_PAIR);
    CHECK_PTR (s);
    CHECK_ERR (zmq_ctx_term (s), EFAULT);
    CHECK_OK (zmq_close (s));
    CHECK_OK (zmq_ctx_term (ctx));
}

static void socket_errors (void)
{
    void *ctx = zmq_ctx_new ();
    CHECK_PTR (ctx);
    CHECK (zmq_socket (ctx, 999) == NULL);
    CHECK_EQ (zmq_errno (), EINVAL);
    CHECK (zmq_socket (ctx, -1) == NULL);
    CHECK_EQ (zmq_errno (), EINVAL);

    void *s = zmq_socket (ctx, ZMQ_PAIR);
    CHECK_PTR (s);
    CHECK_EQ (get_int (s, ZMQ_TYPE), ZMQ_PAIR);
    CHECK_ERR (zmq_bind (s, "nosuchproto://a"), EPROTONOSUPPORT);
    CHECK_ERR (zmq_connect (s, "nosuchproto://a"), EPROTONOSUPPORT);
    CHECK_ERR (zmq_bind (s, "no separator"), EINVAL);
    CHECK_ERR (zmq_unbind (s, "inproc://never-bound"), ENOENT);
    CHECK_ERR (zmq_disconnect (s, "inproc://never-connected"), ENOENT);

    /*  inproc names are per context and exclusive.                          */
    CHECK_OK (zmq_bind (s, "inproc://basics"));
    void *t = zmq_socket (ctx, ZMQ_PAIR);
    CHECK_PTR (t);
    CHECK_ERR (zmq_bind (t, "inproc://basics"), EADDRINUSE);
    void *ctx2 = zmq_ctx_new ();
    void *u = zmq_socket (ctx2, ZMQ_PAIR);
    CHECK_OK (zmq_bind (u, "inproc://basics"));

    /*  Unknown and malformed options.                                       */
    int v = 0;
    CHECK_ERR (zmq_setsockopt (s, 999999, &v, sizeof v), EINVAL);
    CHECK_ERR (zmq_setsockopt (s, ZMQ_LINGER, &v, 1), EINVAL);
    size_t sz = sizeof v;
    CHECK_ERR (zmq_getsockopt (s, 999999, &v, &sz), EINVAL);
    sz = 1;
    CHECK_ERR (zmq_getsockopt (s, ZMQ_LINGER, &v, &sz), EINVAL);

    /*  Defaults of a few options.                                           */
    CHECK_EQ (get_int (s, ZMQ_LINGER), -1);
    CHECK_EQ (get_int (s, ZMQ_SNDHWM), 1000);
    CHECK_EQ (get_int (s, ZMQ_RCVHWM), 1000);
    CHECK_EQ (get_int (s, ZMQ_RCVTIMEO), -1);
    CHECK_EQ (get_int (s, ZMQ_SNDTIMEO), -1);
    CHECK_EQ (get_int (s, ZMQ_RCVMORE), 0);
    CHECK_EQ (get_int (s, ZMQ_IMMEDIATE), 0);
    set_int (s, ZMQ_LINGER, 250);
    CHECK_EQ (get_int (s, ZMQ_LINGER), 250);

    /*  ZMQ_LAST_ENDPOINT of an inproc bind is the endpoint itself.          */
    char ep[256];
    sz = sizeof ep;
    CHECK_OK (zmq_getsockopt (s, ZMQ_LAST_ENDPOINT, ep, &sz));
    CHECK_STR (ep, "inproc://basics");
    CHECK_EQ (sz, strlen ("inproc://basics") + 1);

    CHECK_OK (zmq_close (s));
    CHECK_OK (zmq_close (t));
    CHECK_OK (zmq_close (u));
    CHECK_OK (zmq_ctx_term (ctx));
    CHECK_OK (zmq_ctx_term (ctx2));
}

static void wrong_direction (void)
{
    void *ctx = zmq_ctx_new ();
    void *push = zmq_socket (ctx, ZMQ_PUSH);
    void *pull = zmq_socket (ctx, ZMQ_PULL);
    void *pub = zmq_socket (ctx, ZMQ_PUB);
    void *sub = zmq_socket (ctx, ZMQ_SUB);
    char buf[8];
    CHECK_ERR (zmq_recv (push, buf, sizeof buf, ZMQ_DONTWAIT), ENOTSUP);
    CHECK_ERR (zmq_send (pull, "x", 1, ZMQ_DONTWAIT), ENOTSUP);
    CHECK_ERR (zmq_recv (pub, buf, sizeof buf, ZMQ_DONTWAIT), ENOTSUP);
    CHECK_ERR (zmq_send (sub, "x", 1, ZMQ_DONTWAIT), ENOTSUP);
    CHECK_OK (zmq_close (push));
    CHECK_OK (zmq_close (pull));
    CHECK_OK (zmq_close (pub));
    CHECK_OK (zmq_close (sub));
    CHECK_OK (zmq_ctx_term (ctx));
}

static void deprecated_init_term (void)
{
    void *ctx = zmq_init (1);
    CHECK_PTR (ctx);
    CHECK_EQ (zmq_ctx_get (ctx, ZMQ_IO_THREADS), 1);
    void *s = zmq_socket (ctx, ZMQ_REP);
    CHECK_PTR (s);
    CHECK_OK (zmq_close (s));
    CHECK_OK (zmq_term (ctx));
    CHECK (zmq_init (-1) == NULL);
    CHECK_EQ (zmq_errno (), EINVAL);
}

int main (void)
{
    RUN_CASE (version);
    RUN_CASE (errno_values);
    RUN_CASE (strerror_texts);
    RUN_CASE (errno_is_thread_errno);
    RUN_CASE (has);
    RUN_CASE (bad_handles);
    RUN_CASE (socket_errors);
    RUN_CASE (wrong_direction);
    RUN_CASE (deprecated_init_term);
    return testutil_summary ();
}
