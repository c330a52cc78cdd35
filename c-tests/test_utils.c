/*  Utilities: Z85, CURVE key helpers, timers, atomic counters, stopwatch,
    zmq_sleep and zmq_threadstart.                                          */
#include "testutil.h"

static void z85 (void)
{
    /*  The test vector of the Z85 spec (ZMQ RFC 32).                        */
    static const uint8_t hello[8] = {0x86, 0x4F, 0xD2, 0x6F,
                                     0xB5, 0x59, 0xF7, 0x5B};
    char text[11];
    memset (text, 'X', sizeof text);
    CHECK (zmq_z85_encode (text, hello, 8) == text);
    CHECK_STR (text, "HelloWorld");
    uint8_t bytes[8] = {0};
    CHECK (zmq_z85_decode (bytes, "HelloWorld") == bytes);
    CHECK_EQ (memcmp (bytes, hello, 8), 0);

    /*  Every 4-byte value round-trips, including the extremes.             */
    uint8_t data[32], back[32];
    char enc[41];
    for (int round = 0; round < 64; round++) {
        for (int i = 0; i < 32; i++)
            data[i] = (uint8_t) (round * 37 + i * 101 + (round == 1 ? 255 : 0));
        if (round == 2)
            memset (data, 0xff, sizeof data);
        if (round == 3)
            memset (data, 0, sizeof data);
        CHECK (zmq_z85_encode (enc, data, 32) != NULL);
        CHECK_EQ (strlen (enc), 40);
        CHECK (zmq_z85_decode (back, enc) != NULL);
        CHECK_EQ (memcmp (back, data, 32), 0);
    }
    CHECK (zmq_z85_encode (enc, data, 0) != NULL);
    CHECK_STR (enc, "");
}

static void z85_errors (void)
{
    char enc[16];
    uint8_t dec[16];
    static const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    /*  The input of encode must be a multiple of 4 bytes ...                */
    errno = 0;
    CHECK (zmq_z85_encode (enc, data, 7) == NULL);
    CHECK_EQ (zmq_errno (), EINVAL);
    /*  ... and of decode a multiple of 5 characters.                        */
    errno = 0;
    CHECK (zmq_z85_decode (dec, "Hell") == NULL);
    CHECK_EQ (zmq_errno (), EINVAL);
    errno = 0;
    CHECK (zmq_z85_decode (dec, "HelloWorl") == NULL);
    CHECK_EQ (zmq_errno (), EINVAL);
    /*  Characters outside the alphabet.                                     */
    errno = 0;
    CHECK (zmq_z85_decode (dec, "Hello Worl") == NULL);
    CHECK_EQ (zmq_errno (), EINVAL);
    errno = 0;
    CHECK (zmq_z85_decode (dec, "Hell\"World") == NULL);
    CHECK_EQ (zmq_errno (), EINVAL);
    /*  A 5-char group whose value exceeds 2^32 - 1 ("%nSc1" is 2^32).       */
    errno = 0;
    CHECK (zmq_z85_decode (dec, "%nSc1") == NULL);
    CHECK_EQ (zmq_errno (), EINVAL);
    CHECK (zmq_z85_decode (dec, "%nSc0") != NULL);
    CHECK_EQ (dec[0] & dec[1] & dec[2] & dec[3], 0xff);
}

static void curve_keys (void)
{
    char pub[41], sec[41], derived[41];
    memset (pub, 0, sizeof pub);
    memset (sec, 0, sizeof sec);
    if (zmq_curve_keypair (pub, sec) == -1) {
        /*  A library without CURVE says so consistently.                   */
        CHECK_EQ (zmq_errno (), ENOTSUP);
        CHECK_ERR (zmq_curve_public (derived, sec), ENOTSUP);
        return;
    }
    CHECK_EQ (strlen (pub), 40);
    CHECK_EQ (strlen (sec), 40);
    CHECK (strcmp (pub, sec) != 0);
    uint8_t raw[32];
    CHECK (zmq_z85_decode (raw, pub) != NULL);
    CHECK (zmq_z85_decode (raw, sec) != NULL);
    CHECK_OK (zmq_curve_public (derived, sec));
    CHECK_STR (derived, pub);
    /*  Two key pairs differ.                                                */
    char pub2[41], sec2[41];
    CHECK_OK (zmq_curve_keypair (pub2, sec2));
    CHECK (strcmp (sec, sec2) != 0);
    CHECK (strcmp (pub, pub2) != 0);

    /*  RFC 7748 section 6.1: Alice's X25519 key pair.                       */
    static const uint8_t alice_sec[32] = {
      0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1,
      0x72, 0x51, 0xb2, 0x66, 0x45, 0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0,
      0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a};
    static const uint8_t alice_pub[32] = {
      0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d,
      0xdc, 0xb4, 0x3e, 0xf7, 0x5a, 0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38,
      0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b, 0x4e, 0x6a};
    char z85_sec[41], z85_pub[41];
    CHECK (zmq_z85_encode (z85_sec, alice_sec, 32) != NULL);
    CHECK_OK (zmq_curve_public (z85_pub, z85_sec));
    CHECK (zmq_z85_decode (raw, z85_pub) != NULL);
    CHECK_EQ (memcmp (raw, alice_pub, 32), 0);

    /*  A secret key that is not Z85.                                        */
    CHECK_ERR (zmq_curve_public (z85_pub, "not a z85 key, not 40 chars"),
               EINVAL);
}

/*  Timer handler: counts calls and checks its arguments.                   */
typedef struct
{
    int id;
    int calls;
    int bad_args;
} timer_state_t;

static void on_timer (int timer_id, void *arg)
{
    timer_state_t *s = arg;
    if (timer_id != s->id)
        s->bad_args++;
    s->calls++;
}

static void timers_basic (void)
{
    void *timers = zmq_timers_new ();
    CHECK (timers != NULL);
    CHECK_EQ (zmq_timers_timeout (timers), -1);
    CHECK_OK (zmq_timers_execute (timers));

    timer_state_t st = {0, 0, 0};
    int64_t t_add = now_ms ();
    st.id = zmq_timers_add (timers, 100, on_timer, &st);
    CHECK (st.id >= 0);
    long timeout = zmq_timers_timeout (timers);
    CHECK (timeout >= 0);
    CHECK (timeout <= 100);
    CHECK_OK (zmq_timers_execute (timers));
    if (now_ms () - t_add < 100)
        CHECK_EQ (st.calls, 0);

    sleep_ms (120);
    CHECK_OK (zmq_timers_execute (timers));
    CHECK_EQ (st.calls, 1);
    CHECK_EQ (st.bad_args, 0);
    /*  It is periodic: re-armed for another interval.                      */
    int64_t t_fired = now_ms ();
    timeout = zmq_timers_timeout (timers);
    CHECK (timeout >= 0);
    CHECK (timeout <= 100);
    CHECK_OK (zmq_timers_execute (timers));
    if (now_ms () - t_fired < 50)
        CHECK_EQ (st.calls, 1);
    sleep_ms (120);
    CHECK_OK (zmq_timers_execute (timers));
    CHECK_EQ (st.calls, 2);

    /*  Cancelled: never again.                                              */
    CHECK_OK (zmq_timers_cancel (timers, st.id));
    CHECK_EQ (zmq_timers_timeout (timers), -1);
    sleep_ms (120);
    CHECK_OK (zmq_timers_execute (timers));
    CHECK_EQ (st.calls, 2);
    CHECK_ERR (zmq_timers_cancel (timers, st.id), EINVAL);

    CHECK_OK (zmq_timers_destroy (&timers));
    CHECK (timers == NULL);
}

static void timers_interval_and_reset (void)
{
    void *timers = zmq_timers_new ();
    timer_state_t a = {0, 0, 0}, b = {0, 0, 0};
    /*  A long interval shortened with set_interval fires soon.              */
    a.id = zmq_timers_add (timers, 100000, on_timer, &a);
    CHECK (a.id >= 0);
    CHECK (zmq_timers_timeout (timers) > 1000);
    CHECK_OK (zmq_timers_set_interval (timers, a.id, 50));
    CHECK (zmq_timers_timeout (timers) <= 50);
    sleep_ms (70);
    CHECK_OK (zmq_timers_execute (timers));
    CHECK_EQ (a.calls, 1);
    CHECK_OK (zmq_timers_cancel (timers, a.id));

    /*  reset restarts the interval from now.                                */
    int64_t t_add = now_ms ();
    b.id = zmq_timers_add (timers, 400, on_timer, &b);
    CHECK (b.id != a.id);
    sleep_ms (300);
    int64_t t_reset = now_ms ();
    CHECK_OK (zmq_timers_reset (timers, b.id));
    sleep_ms (200);
    CHECK (now_ms () - t_add >= 400); /* would have fired without reset */
    CHECK_OK (zmq_timers_execute (timers));
    if (now_ms () - t_reset < 400)
        CHECK_EQ (b.calls, 0);
    sleep_ms (250);
    CHECK_OK (zmq_timers_execute (timers));
    CHECK_EQ (b.calls, 1);

    /*  Errors.                                                               */
    CHECK_ERR (zmq_timers_set_interval (timers, 12345, 10), EINVAL);
    CHECK_ERR (zmq_timers_reset (timers, 12345), EINVAL);
    CHECK_ERR (zmq_timers_add (timers, 10, NULL, NULL), EFAULT);
    CHECK_ERR (zmq_timers_execute (NULL), EFAULT);
    CHECK_ERR (zmq_timers_timeout (NULL), EFAULT);
    CHECK_OK (zmq_timers_destroy (&timers));
    CHECK_ERR (zmq_timers_destroy (&timers), EFAULT);
}

static void *counter;

static void count_up (void *arg)
{
    (void) arg;
    for (int i = 0; i < 10000; i++)
        zmq_atomic_counter_inc (counter);
}

static void atomic_counters (void)
{
    counter = zmq_atomic_counter_new ();
    CHECK (counter != NULL);
    CHECK_EQ (zmq_atomic_counter_value (counter), 0);
    /*  inc returns the value before, dec whether the result is non-zero.   */
    CHECK_EQ (zmq_atomic_counter_inc (counter), 0);
    CHECK_EQ (zmq_atomic_counter_inc (counter), 1);
    CHECK_EQ (zmq_atomic_counter_value (counter), 2);
    CHECK_EQ (zmq_atomic_counter_dec (counter), 1);
    CHECK_EQ (zmq_atomic_counter_dec (counter), 0);
    CHECK_EQ (zmq_atomic_counter_value (counter), 0);
    zmq_atomic_counter_set (counter, 5);
    CHECK_EQ (zmq_atomic_counter_value (counter), 5);
    zmq_atomic_counter_set (counter, 0);

    void *threads[4];
    for (int i = 0; i < 4; i++)
        threads[i] = zmq_threadstart (count_up, NULL);
    for (int i = 0; i < 4; i++)
        zmq_threadclose (threads[i]);
    CHECK_EQ (zmq_atomic_counter_value (counter), 40000);
    zmq_atomic_counter_destroy (&counter);
    CHECK (counter == NULL);
}

static void stopwatch_and_sleep (void)
{
    void *watch = zmq_stopwatch_start ();
    CHECK (watch != NULL);
    sleep_ms (50);
    unsigned long mid = zmq_stopwatch_intermediate (watch);
    CHECK (mid >= 45000);
    CHECK (mid < 5000000);
    int64_t t0 = now_ms ();
    zmq_sleep (1);
    int64_t slept = now_ms () - t0;
    CHECK (slept >= 950);
    CHECK (slept < 10000);
    unsigned long total = zmq_stopwatch_stop (watch);
    CHECK (total >= mid + 950000);
}

int main (void)
{
    RUN_CASE (z85);
    RUN_CASE (z85_errors);
    RUN_CASE (curve_keys);
    RUN_CASE (timers_basic);
    RUN_CASE (timers_interval_and_reset);
    RUN_CASE (atomic_counters);
    RUN_CASE (stopwatch_and_sleep);
    return testutil_summary ();
}
