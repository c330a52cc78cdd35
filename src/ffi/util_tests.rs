//! The utility exports called as C would call them: return values and errno.

use super::*;
use crate::ffi::{get_errno, set_errno};
use std::ffi::CStr;
use std::ptr::{null, null_mut};

/// Calls `f` with errno cleared, returns its result and the errno after.
fn errno_of<R>(f: impl FnOnce() -> R) -> (R, c_int) {
    set_errno(Error(0));
    let r = f();
    (r, get_errno())
}

#[test]
fn z85_encode() {
    let data = [0x86u8, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B];
    let mut out = [0x55 as c_char; 11];
    // SAFETY: 8 readable bytes, 11 writable.
    let (r, e) = errno_of(|| unsafe { zmq_z85_encode(out.as_mut_ptr(), data.as_ptr(), 8) });
    assert_eq!(r, out.as_mut_ptr());
    assert_eq!(e, 0);
    // SAFETY: NUL-terminated by the call.
    let text = unsafe { CStr::from_ptr(out.as_ptr()) };
    assert_eq!(text.to_bytes(), b"HelloWorld");

    for size in [1, 42] {
        // SAFETY: the length check comes first; nothing is dereferenced.
        let (r, e) = errno_of(|| unsafe { zmq_z85_encode(null_mut(), null(), size) });
        assert!(r.is_null());
        assert_eq!(e, libc::EINVAL);
    }
    // SAFETY: NULL pointers are caught.
    let (r, e) = errno_of(|| unsafe { zmq_z85_encode(null_mut(), null(), 0) });
    assert!(r.is_null());
    assert_eq!(e, libc::EFAULT);
    // Empty input: just the terminator.
    let mut one = [0x55 as c_char; 1];
    // SAFETY: one writable byte.
    assert!(!unsafe { zmq_z85_encode(one.as_mut_ptr(), null(), 0) }.is_null());
    assert_eq!(one[0], 0);
}

#[test]
fn z85_decode() {
    let mut out = [0u8; 8];
    // SAFETY: 8 writable bytes for a 10-character string.
    let (r, e) = errno_of(|| unsafe { zmq_z85_decode(out.as_mut_ptr(), c"HelloWorld".as_ptr()) });
    assert_eq!(r, out.as_mut_ptr());
    assert_eq!(e, 0);
    assert_eq!(out, [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]);

    // The invalid inputs of libzmq's test_base85.cpp, and more.
    for bad in [
        c"01234567",
        c"0",
        c"",
        c"#####",
        c"%nSc1",
        c"####\x047",
        c"####\x100",
        c"####\x037",
        c"Hell~",
        c"Hell\x7f",
    ] {
        let mut buf = [0u8; 16];
        // SAFETY: 16 bytes is more than any of these decodes to.
        let (r, e) = errno_of(|| unsafe { zmq_z85_decode(buf.as_mut_ptr(), bad.as_ptr()) });
        assert!(r.is_null(), "{bad:?}");
        assert_eq!(e, libc::EINVAL, "{bad:?}");
    }
    // SAFETY: NULL pointers are caught.
    let (r, e) = errno_of(|| unsafe { zmq_z85_decode(out.as_mut_ptr(), null()) });
    assert!(r.is_null());
    assert_eq!(e, libc::EFAULT);
}

#[test]
fn z85_round_trip_through_c_buffers() {
    let text = c"r^/rM9M=rMToK)63O8dCvd9D<PY<7iGlC+{BiSnG";
    let mut raw = [0u8; 32];
    let mut back = [0 as c_char; 41];
    // SAFETY: buffer sizes as the functions require.
    unsafe {
        assert!(!zmq_z85_decode(raw.as_mut_ptr(), text.as_ptr()).is_null());
        assert!(!zmq_z85_encode(back.as_mut_ptr(), raw.as_ptr(), 32).is_null());
        assert_eq!(CStr::from_ptr(back.as_ptr()), text);
    }
}

#[test]
fn curve_keypair_and_public() {
    let mut public = [0x55 as c_char; 41];
    let mut secret = [0x55 as c_char; 41];
    let mut derived = [0x55 as c_char; 41];
    // SAFETY: 41-byte buffers.
    unsafe {
        let (rc, e) = errno_of(|| zmq_curve_keypair(public.as_mut_ptr(), secret.as_mut_ptr()));
        assert_eq!((rc, e), (0, 0));
        assert_eq!(CStr::from_ptr(public.as_ptr()).to_bytes().len(), 40);
        assert_eq!(CStr::from_ptr(secret.as_ptr()).to_bytes().len(), 40);
        assert_eq!(zmq_curve_public(derived.as_mut_ptr(), secret.as_ptr()), 0);
        assert_eq!(public, derived);

        assert_eq!(
            zmq_curve_public(
                derived.as_mut_ptr(),
                c"D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs".as_ptr()
            ),
            0
        );
        assert_eq!(
            CStr::from_ptr(derived.as_ptr()),
            c"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
        );

        for bad in [
            c"",
            c"HelloWorld",
            c"D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%c~",
        ] {
            let (rc, e) = errno_of(|| zmq_curve_public(derived.as_mut_ptr(), bad.as_ptr()));
            assert_eq!((rc, e), (-1, libc::EINVAL));
        }
        let (rc, e) = errno_of(|| zmq_curve_keypair(null_mut(), secret.as_mut_ptr()));
        assert_eq!((rc, e), (-1, libc::EFAULT));
    }
}

#[test]
fn atomic_counter() {
    // SAFETY: the handle is used as documented and destroyed once.
    unsafe {
        let mut c = zmq_atomic_counter_new();
        assert!(!c.is_null());
        assert_eq!(zmq_atomic_counter_value(c), 0);
        assert_eq!(zmq_atomic_counter_inc(c), 0);
        assert_eq!(zmq_atomic_counter_inc(c), 1);
        assert_eq!(zmq_atomic_counter_inc(c), 2);
        assert_eq!(zmq_atomic_counter_value(c), 3);
        assert_eq!(zmq_atomic_counter_dec(c), 1);
        assert_eq!(zmq_atomic_counter_dec(c), 1);
        assert_eq!(zmq_atomic_counter_dec(c), 0);
        zmq_atomic_counter_set(c, 2);
        assert_eq!(zmq_atomic_counter_dec(c), 1);
        assert_eq!(zmq_atomic_counter_dec(c), 0);
        zmq_atomic_counter_destroy(&mut c);
        assert!(c.is_null());
        zmq_atomic_counter_destroy(&mut c); // NULL: nothing to do

        let (r, e) = errno_of(|| zmq_atomic_counter_inc(null_mut()));
        assert_eq!((r, e), (-1, libc::EFAULT));
        let ((), e) = errno_of(|| zmq_atomic_counter_destroy(null_mut()));
        assert_eq!(e, libc::EFAULT);
    }
}

#[test]
fn stopwatch() {
    // SAFETY: the handle is used as documented and stopped once.
    unsafe {
        let w = zmq_stopwatch_start();
        assert!(!w.is_null());
        std::thread::sleep(std::time::Duration::from_millis(5));
        let mid = zmq_stopwatch_intermediate(w);
        assert!(mid >= 5_000, "{mid}");
        assert!(zmq_stopwatch_stop(w) >= mid);
        let (r, e) = errno_of(|| zmq_stopwatch_intermediate(null_mut()));
        assert_eq!((r, e), (0, libc::EFAULT));
        zmq_sleep(0);
    }
}

unsafe extern "C" fn bump(arg: *mut c_void) {
    // SAFETY: the tests pass an AtomicCounter handle.
    unsafe { zmq_atomic_counter_inc(arg) };
}

#[test]
fn threads() {
    // SAFETY: the counter outlives the threads, which are all joined.
    unsafe {
        let mut c = zmq_atomic_counter_new();
        let threads: Vec<_> = (0..4).map(|_| zmq_threadstart(Some(bump), c)).collect();
        for t in threads {
            assert!(!t.is_null());
            zmq_threadclose(t);
        }
        assert_eq!(zmq_atomic_counter_value(c), 4);
        zmq_atomic_counter_destroy(&mut c);

        let (t, e) = errno_of(|| zmq_threadstart(None, null_mut()));
        assert!(t.is_null());
        assert_eq!(e, libc::EINVAL);
        let ((), e) = errno_of(|| zmq_threadclose(null_mut()));
        assert_eq!(e, libc::EFAULT);
    }
}

mod timers {
    use super::*;

    unsafe extern "C" fn set_flag(_id: c_int, arg: *mut c_void) {
        // SAFETY: the tests pass a pointer to a live bool.
        unsafe { *(arg as *mut bool) = true };
    }

    /// The checks of libzmq's test_null_timer_pointers.
    #[test]
    fn null_and_foreign_handles_are_efault() {
        let mut timers: *mut c_void = null_mut();
        let not_timers: *mut c_void = (&mut timers as *mut *mut c_void).cast();
        // SAFETY: both handles are readable for 4 bytes or NULL.
        unsafe {
            let (r, e) = errno_of(|| zmq_timers_destroy(&mut timers));
            assert_eq!((r, e), (-1, libc::EFAULT));
            let (r, e) = errno_of(|| zmq_timers_destroy(null_mut()));
            assert_eq!((r, e), (-1, libc::EFAULT));
            for h in [timers, not_timers] {
                assert_eq!(
                    errno_of(|| zmq_timers_add(h, 100, Some(set_flag), null_mut())),
                    (-1, libc::EFAULT)
                );
                assert_eq!(errno_of(|| zmq_timers_cancel(h, 1)), (-1, libc::EFAULT));
                assert_eq!(
                    errno_of(|| zmq_timers_set_interval(h, 1, 100)),
                    (-1, libc::EFAULT)
                );
                assert_eq!(errno_of(|| zmq_timers_reset(h, 1)), (-1, libc::EFAULT));
                assert_eq!(errno_of(|| zmq_timers_timeout(h)), (-1, libc::EFAULT));
                assert_eq!(errno_of(|| zmq_timers_execute(h)), (-1, libc::EFAULT));
            }
            // An unaligned pointer into readable memory.
            let bytes = [0u8; 16];
            let odd = bytes.as_ptr().wrapping_add(1) as *mut c_void;
            assert_eq!(errno_of(|| zmq_timers_execute(odd)), (-1, libc::EFAULT));
        }
    }

    /// The checks of libzmq's test_corner_cases, errno carry-over included.
    #[test]
    fn corner_cases() {
        // SAFETY: a live handle, destroyed once.
        unsafe {
            let mut t = zmq_timers_new();
            assert!(!t.is_null());
            assert_eq!(errno_of(|| zmq_timers_cancel(t, 1)), (-1, libc::EINVAL));
            assert_eq!(
                errno_of(|| zmq_timers_set_interval(t, 1, usize::MAX)),
                (-1, libc::EINVAL)
            );
            assert_eq!(errno_of(|| zmq_timers_reset(t, 1)), (-1, libc::EINVAL));
            assert_eq!(
                errno_of(|| zmq_timers_add(t, usize::MAX, None, null_mut())),
                (-1, libc::EFAULT)
            );
            let id = zmq_timers_add(t, usize::MAX, Some(set_flag), null_mut());
            assert_eq!(id, 1);
            assert_eq!(zmq_timers_cancel(t, id), 0);
            assert_eq!(errno_of(|| zmq_timers_cancel(t, id)), (-1, libc::EINVAL));
            // No active timer: -1, and errno is left as it was (libzmq's test
            // relies on the EINVAL from the call before).
            set_errno(Error::EINVAL);
            assert_eq!(zmq_timers_timeout(t), -1);
            assert_eq!(get_errno(), libc::EINVAL);
            assert_eq!(zmq_timers_destroy(&mut t), 0);
            assert!(t.is_null());
        }
    }

    #[test]
    fn fires_on_the_real_clock() {
        let mut fired = false;
        let arg = (&mut fired as *mut bool).cast();
        // SAFETY: a live handle; `fired` outlives it.
        unsafe {
            let mut t = zmq_timers_new();
            let id = zmq_timers_add(t, 20, Some(set_flag), arg);
            assert!(id > 0);
            assert_eq!(zmq_timers_execute(t), 0);
            let timeout = zmq_timers_timeout(t);
            assert!((0..=20).contains(&timeout), "{timeout}");
            loop {
                let left = zmq_timers_timeout(t);
                if left <= 0 {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(left as u64));
            }
            assert_eq!(zmq_timers_execute(t), 0);
            assert!(std::ptr::read_volatile(arg as *const bool));
            assert_eq!(zmq_timers_set_interval(t, id, 1000), 0);
            assert!(zmq_timers_timeout(t) > 500);
            assert_eq!(zmq_timers_reset(t, id), 0);
            assert_eq!(zmq_timers_cancel(t, id), 0);
            assert_eq!(zmq_timers_timeout(t), -1);
            assert_eq!(zmq_timers_destroy(&mut t), 0);
        }
    }

    /// What a re-entrant handler sees: `arg` points to this.
    struct Reentry {
        timers: *mut c_void,
        calls: u32,
        cancel_self: bool,
        destroy: bool,
    }

    unsafe extern "C" fn reenter(id: c_int, arg: *mut c_void) {
        // SAFETY: the tests pass a live Reentry.
        let r = unsafe { &mut *(arg as *mut Reentry) };
        r.calls += 1;
        // SAFETY: the timer set handle under test (NULLed when destroyed).
        unsafe {
            if r.cancel_self {
                assert_eq!(zmq_timers_cancel(r.timers, id), 0);
            }
            if r.destroy {
                assert_eq!(zmq_timers_destroy(&mut r.timers), 0);
                assert!(r.timers.is_null());
            }
        }
    }

    #[test]
    fn handler_cancels_itself() {
        // SAFETY: handles used as documented; `r` outlives the set.
        unsafe {
            let t = zmq_timers_new();
            let mut r = Reentry {
                timers: t,
                calls: 0,
                cancel_self: true,
                destroy: false,
            };
            zmq_timers_add(t, 0, Some(reenter), (&mut r as *mut Reentry).cast());
            assert_eq!(zmq_timers_execute(t), 0);
            assert_eq!(zmq_timers_execute(t), 0);
            assert_eq!(r.calls, 1);
            assert_eq!(zmq_timers_timeout(t), -1);
            let mut t = t;
            assert_eq!(zmq_timers_destroy(&mut t), 0);
        }
    }

    #[test]
    fn handler_destroys_the_set() {
        // SAFETY: handles used as documented; `r` outlives the set.
        unsafe {
            let t = zmq_timers_new();
            let mut r = Reentry {
                timers: t,
                calls: 0,
                cancel_self: false,
                destroy: true,
            };
            let arg = (&mut r as *mut Reentry).cast();
            zmq_timers_add(t, 0, Some(reenter), arg);
            zmq_timers_add(t, 0, Some(reenter), arg);
            assert_eq!(zmq_timers_execute(t), 0);
            assert_eq!(r.calls, 1, "the round stops once the set is destroyed");
            assert!(r.timers.is_null());
        }
    }
}
