/* For `tools/sanitize tsan`: our library built with -Zsanitizer=thread
 * calls __tsan_memcpy, __tsan_memmove and __tsan_memset, which newer LLVM
 * emits and GCC 12's libtsan (libtsan.so.2, the runtime preloaded for the
 * uninstrumented upstream programs) does not define. These forward to
 * memcpy, memmove and memset, which that runtime intercepts and checks
 * (this file is preloaded after it, so those names resolve to its
 * interceptors); that is what LLVM's own runtime does for them. */
#include <string.h>

void *__tsan_memcpy(void *dst, const void *src, size_t n);
void *__tsan_memmove(void *dst, const void *src, size_t n);
void *__tsan_memset(void *dst, int c, size_t n);

void *__tsan_memcpy(void *dst, const void *src, size_t n)
{
    return memcpy(dst, src, n);
}

void *__tsan_memmove(void *dst, const void *src, size_t n)
{
    return memmove(dst, src, n);
}

void *__tsan_memset(void *dst, int c, size_t n)
{
    return memset(dst, c, n);
}
