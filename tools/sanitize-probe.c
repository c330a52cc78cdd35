/* Proves that a sanitizer run can see our library's heap: writes one octet
 * past a 64-octet message body that the library allocated. Under ASan (our
 * library built with -Zsanitizer=address and the system allocator, the
 * runtime preloaded) or valgrind's memcheck this must be reported; with
 * mimalloc, or without the runtime, it passes unseen. tools/sanitize runs
 * it first and stops if nothing is reported, so a clean run cannot come
 * from a sanitizer that was not there. Exits 0 when the write went unseen. */
#include <stdio.h>
#include <string.h>
#include <zmq.h>

int main(void)
{
    /* Through a volatile pointer, so the compiler cannot inline the store:
     * the sanitizer checks memset where it intercepts it. */
    void *(*volatile fill)(void *, int, size_t) = memset;
    zmq_msg_t msg;
    if (zmq_msg_init_size(&msg, 64) != 0) {
        perror("zmq_msg_init_size");
        return 2;
    }
    fill(zmq_msg_data(&msg), 0, 65);
    zmq_msg_close(&msg);
    return 0;
}
