/*  Smoke test of an installed libzmq: built with pkg-config by
    tools/check-install.sh (make check-install), dynamically and statically.
    Uses the header's macros, a utility call and a PAIR round trip over
    inproc. Exits 0 and prints one line on success. */

#include <zmq.h>
#include <stdio.h>
#include <string.h>

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf (stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__,     \
                     #cond, zmq_strerror (zmq_errno ()));                      \
            return 1;                                                          \
        }                                                                      \
    } while (0)

int main (void)
{
    int major, minor, patch;
    zmq_version (&major, &minor, &patch);
    CHECK (ZMQ_MAKE_VERSION (major, minor, patch) == ZMQ_VERSION);

    uint8_t key[32] = {0};
    char text[41];
    CHECK (zmq_z85_encode (text, key, sizeof key) != NULL);

    zmq_msg_t msg;
    CHECK (zmq_msg_init_size (&msg, 3) == 0);
    CHECK (zmq_msg_close (&msg) == 0);

    void *ctx = zmq_ctx_new ();
    CHECK (ctx != NULL);
    void *server = zmq_socket (ctx, ZMQ_PAIR);
    void *client = zmq_socket (ctx, ZMQ_PAIR);
    CHECK (server != NULL && client != NULL);
    CHECK (zmq_bind (server, "inproc://check-install") == 0);
    CHECK (zmq_connect (client, "inproc://check-install") == 0);
    CHECK (zmq_send (client, "hello", 5, 0) == 5);
    char buf[16];
    CHECK (zmq_recv (server, buf, sizeof buf, 0) == 5);
    CHECK (memcmp (buf, "hello", 5) == 0);
    CHECK (zmq_close (client) == 0);
    CHECK (zmq_close (server) == 0);
    CHECK (zmq_ctx_term (ctx) == 0);

    printf ("libzmq %d.%d.%d: ok\n", major, minor, patch);
    return 0;
}
