/* Proves that a ThreadSanitizer run can see our library's memory accesses
 * (tools/sanitize tsan): a thread hands a buffer to zmq_send, which copies
 * it, while the main thread writes the same buffer with nothing ordering
 * the two. The copy is in our library (instrumented, through
 * tools/tsan-shim.c), the write here (built with -fsanitize=thread), so
 * the race must be reported; without the runtime seeing our library's
 * accesses it goes unseen. Exits 0 when it could run. */
#include <pthread.h>
#include <stdio.h>
#include <zmq.h>

static char buf[64];
static void *push;

static void *sender(void *arg)
{
    (void) arg;
    if (zmq_send(push, buf, sizeof buf, 0) != (int) sizeof buf)
        perror("zmq_send");
    return NULL;
}

int main(void)
{
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    push = zmq_socket(ctx, ZMQ_PUSH);
    if (zmq_bind(pull, "inproc://race-probe") != 0 ||
        zmq_connect(push, "inproc://race-probe") != 0) {
        perror("bind/connect");
        return 2;
    }
    pthread_t t;
    pthread_create(&t, NULL, sender, NULL);
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char) i; /* races with the copy in zmq_send */
    pthread_join(t, NULL);
    char got[64];
    zmq_recv(pull, got, sizeof got, 0);
    zmq_close(push);
    zmq_close(pull);
    zmq_ctx_term(ctx);
    return 0;
}
