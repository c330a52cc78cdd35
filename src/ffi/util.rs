//! The utility calls of the C API: Z85, CURVE key pairs, atomic counters,
//! stopwatch and sleep, application threads, and timer sets.
//!
//! Each export checks its pointers, calls the safe core in `crate::util`,
//! and reports failure as libzmq does. Misuse that libzmq answers with a
//! crash (a NULL handle or buffer) is `EFAULT` here instead.

use super::types::{zmq_thread_fn, zmq_timer_fn};
use super::{bytes, bytes_mut, c_str, entry};
use crate::error::{Error, Result};
use crate::util::atomic_counter::AtomicCounter;
use crate::util::curve;
use crate::util::handle::{Registry, Shell};
use crate::util::stopwatch::{self, now_ms, Stopwatch};
use crate::util::thread::AppThread;
use crate::util::timers::Timers;
use crate::util::z85;
use libc::size_t;
use std::os::raw::{c_char, c_int, c_long, c_ulong, c_void};

// ---------------------------------------------------------------- Z85

/// Encodes `size_` octets at `data_` (`size_` a multiple of 4) as Z85 into
/// `dest_`, which holds `size_ * 5 / 4 + 1` bytes; writes the terminator and
/// returns `dest_`. NULL and EINVAL if `size_ % 4 != 0`.
///
/// # Safety
/// `data_` is readable for `size_` bytes and `dest_` writable for
/// `size_ * 5 / 4 + 1` bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_z85_encode(
    dest_: *mut c_char,
    data_: *const u8,
    size_: size_t,
) -> *mut c_char {
    entry(|| {
        // libzmq checks the length before touching either pointer.
        if !size_.is_multiple_of(4) {
            return Err(Error::EINVAL);
        }
        // No buffer this large can exist; keeps the arithmetic below exact.
        if size_ > isize::MAX as usize / 2 {
            return Err(Error::EINVAL);
        }
        let n = z85::encoded_len(size_);
        // SAFETY: the caller guarantees `size_` readable bytes at `data_`.
        let input = unsafe { bytes(data_.cast(), size_, Error::EFAULT)? };
        // SAFETY: the caller guarantees `n + 1` writable bytes at `dest_`.
        let out = unsafe { bytes_mut(dest_.cast(), n + 1, Error::EFAULT)? };
        z85::encode_into(input, &mut out[..n])?;
        out[n] = 0;
        Ok(dest_)
    })
}

/// Decodes the Z85 string `string_` into `dest_`, which holds
/// `strlen(string_) * 4 / 5` bytes; returns `dest_`. NULL and EINVAL for a
/// length below 5 or not a multiple of 5, a character outside the alphabet,
/// or a group worth more than `0xFFFFFFFF` (groups before the bad one are
/// already written, as with libzmq).
///
/// # Safety
/// `string_` is a NUL-terminated string and `dest_` is writable for
/// `strlen(string_) * 4 / 5` bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_z85_decode(dest_: *mut u8, string_: *const c_char) -> *mut u8 {
    entry(|| {
        // SAFETY: the caller guarantees a NUL-terminated string.
        let text = unsafe { c_str(string_, Error::EFAULT)? };
        z85::check_encoded_len(text.len())?;
        // SAFETY: the caller guarantees room for the decoded bytes.
        let out = unsafe { bytes_mut(dest_.cast(), z85::decoded_len(text.len()), Error::EFAULT)? };
        z85::decode_into(text, out)?;
        Ok(dest_)
    })
}

// ---------------------------------------------------------------- CURVE

/// Writes the 41 bytes (40 Z85 characters and a NUL) of a key to `dest`.
///
/// # Safety
/// `dest` is NULL or writable for 41 bytes.
unsafe fn write_z85_key(dest: *mut c_char, key: &[u8; curve::Z85_KEY_LEN]) -> Result<()> {
    // SAFETY: forwarded from the caller.
    let out = unsafe { bytes_mut(dest.cast(), curve::Z85_KEY_LEN + 1, Error::EFAULT)? };
    out[..curve::Z85_KEY_LEN].copy_from_slice(key);
    out[curve::Z85_KEY_LEN] = 0;
    Ok(())
}

/// Generates a CURVE (X25519) key pair and writes both keys as 40-character
/// Z85 strings with terminator. 0, or -1 and errno.
///
/// # Safety
/// Both pointers are writable for 41 bytes.
#[no_mangle]
pub unsafe extern "C" fn zmq_curve_keypair(
    z85_public_key_: *mut c_char,
    z85_secret_key_: *mut c_char,
) -> c_int {
    entry(|| {
        if z85_public_key_.is_null() || z85_secret_key_.is_null() {
            return Err(Error::EFAULT);
        }
        let pair = curve::generate_keypair()?;
        // SAFETY: both are non-NULL and, per the caller, 41 bytes long.
        unsafe {
            write_z85_key(z85_public_key_, &curve::key_to_z85(&pair.public))?;
            write_z85_key(z85_secret_key_, &curve::key_to_z85(&pair.secret))?;
        }
        Ok(0)
    })
}

/// Derives the Z85 public key from a Z85 secret key. 0, or -1 and EINVAL
/// if the secret key is not 40 characters of valid Z85.
///
/// # Safety
/// `z85_public_key_` is writable for 41 bytes; `z85_secret_key_` is a
/// NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn zmq_curve_public(
    z85_public_key_: *mut c_char,
    z85_secret_key_: *const c_char,
) -> c_int {
    entry(|| {
        // SAFETY: the caller guarantees a NUL-terminated string.
        let secret = unsafe { c_str(z85_secret_key_, Error::EFAULT)? };
        let public = curve::public_z85_from_secret_z85(secret)?;
        // SAFETY: the caller guarantees 41 writable bytes.
        unsafe { write_z85_key(z85_public_key_, &public)? };
        Ok(0)
    })
}

// ---------------------------------------------------------------- atomic counter

/// Borrows the counter behind a handle from `zmq_atomic_counter_new`.
///
/// # Safety
/// `counter` is NULL or a live handle from `zmq_atomic_counter_new`.
/// (As in libzmq, the handle carries no tag: only NULL is caught.)
unsafe fn counter_ref<'a>(counter: *mut c_void) -> Result<&'a AtomicCounter> {
    // SAFETY: forwarded from the caller.
    unsafe { (counter as *const AtomicCounter).as_ref() }.ok_or(Error::EFAULT)
}

/// A new atomic counter, at zero.
///
/// # Safety
/// No requirements; `unsafe` only for uniformity with the other exports.
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_new() -> *mut c_void {
    entry(|| Ok(Box::into_raw(Box::new(AtomicCounter::new())).cast()))
}

/// Sets the counter's value.
///
/// # Safety
/// `counter_` is a live handle from `zmq_atomic_counter_new`.
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_set(counter_: *mut c_void, value_: c_int) {
    entry(|| {
        // SAFETY: forwarded from the caller.
        unsafe { counter_ref(counter_)? }.set(value_);
        Ok(())
    })
}

/// Increments the counter; returns the value before the increment.
///
/// # Safety
/// `counter_` is a live handle from `zmq_atomic_counter_new`.
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_inc(counter_: *mut c_void) -> c_int {
    entry(|| {
        // SAFETY: forwarded from the caller.
        Ok(unsafe { counter_ref(counter_)? }.inc())
    })
}

/// Decrements the counter; 1 if it is still nonzero, 0 if it reached zero.
///
/// # Safety
/// `counter_` is a live handle from `zmq_atomic_counter_new`.
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_dec(counter_: *mut c_void) -> c_int {
    entry(|| {
        // SAFETY: forwarded from the caller.
        Ok(c_int::from(unsafe { counter_ref(counter_)? }.dec()))
    })
}

/// The counter's value.
///
/// # Safety
/// `counter_` is a live handle from `zmq_atomic_counter_new`.
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_value(counter_: *mut c_void) -> c_int {
    entry(|| {
        // SAFETY: forwarded from the caller.
        Ok(unsafe { counter_ref(counter_)? }.value())
    })
}

/// Frees the counter `*counter_p_` (nothing if it is NULL) and sets
/// `*counter_p_` to NULL.
///
/// # Safety
/// `counter_p_` points to NULL or to a live handle from
/// `zmq_atomic_counter_new` that no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn zmq_atomic_counter_destroy(counter_p_: *mut *mut c_void) {
    entry(|| {
        if counter_p_.is_null() {
            return Err(Error::EFAULT);
        }
        // SAFETY: non-NULL; the caller guarantees it points to a handle slot.
        let slot = unsafe { &mut *counter_p_ };
        if !slot.is_null() {
            // SAFETY: the handle came from Box::into_raw in
            // zmq_atomic_counter_new and is freed only here.
            drop(unsafe { Box::from_raw(*slot as *mut AtomicCounter) });
        }
        *slot = std::ptr::null_mut();
        Ok(())
    })
}

// ---------------------------------------------------------------- stopwatch, sleep

/// Starts a stopwatch; stop it with `zmq_stopwatch_stop`, which frees it.
///
/// # Safety
/// No requirements; `unsafe` only for uniformity with the other exports.
#[no_mangle]
pub unsafe extern "C" fn zmq_stopwatch_start() -> *mut c_void {
    entry(|| Ok(Box::into_raw(Box::new(Stopwatch::start())).cast()))
}

/// Microseconds since the stopwatch started.
///
/// # Safety
/// `watch_` is a live handle from `zmq_stopwatch_start`.
#[no_mangle]
pub unsafe extern "C" fn zmq_stopwatch_intermediate(watch_: *mut c_void) -> c_ulong {
    entry(|| {
        // SAFETY: forwarded from the caller.
        let w = unsafe { (watch_ as *const Stopwatch).as_ref() }.ok_or(Error::EFAULT)?;
        Ok(w.elapsed_us() as c_ulong)
    })
}

/// Microseconds since the stopwatch started; frees the stopwatch.
///
/// # Safety
/// `watch_` is a live handle from `zmq_stopwatch_start`, not used again.
#[no_mangle]
pub unsafe extern "C" fn zmq_stopwatch_stop(watch_: *mut c_void) -> c_ulong {
    entry(|| {
        if watch_.is_null() {
            return Err(Error::EFAULT);
        }
        // SAFETY: the handle came from Box::into_raw in zmq_stopwatch_start
        // and is freed only here.
        let w = unsafe { Box::from_raw(watch_ as *mut Stopwatch) };
        Ok(w.elapsed_us() as c_ulong)
    })
}

/// Sleeps for `seconds_` seconds.
///
/// # Safety
/// No requirements; `unsafe` only for uniformity with the other exports.
#[no_mangle]
pub unsafe extern "C" fn zmq_sleep(seconds_: c_int) {
    entry(|| {
        stopwatch::sleep_seconds(seconds_);
        Ok(())
    })
}

// ---------------------------------------------------------------- threads

/// A C argument carried into the new thread.
struct ThreadArg(*mut c_void);
// SAFETY: the pointer is only handed back to the C function that the
// caller paired it with; sharing it across threads is the caller's design.
unsafe impl Send for ThreadArg {}

/// Runs `func_(arg_)` on a new thread (named "ZMQapp", all signals blocked)
/// and returns a handle for `zmq_threadclose`. NULL and errno if `func_` is
/// NULL (EINVAL) or the thread cannot be created.
///
/// # Safety
/// `func_` may be called with `arg_` on another thread.
#[no_mangle]
pub unsafe extern "C" fn zmq_threadstart(func_: zmq_thread_fn, arg_: *mut c_void) -> *mut c_void {
    entry(|| {
        let func_ = func_.ok_or(Error::EINVAL)?;
        let arg_ = ThreadArg(arg_);
        let thread = AppThread::spawn(move || {
            let arg_ = arg_;
            // SAFETY: the caller paired this function with this argument.
            unsafe { func_(arg_.0) }
        })?;
        Ok(Box::into_raw(Box::new(thread)).cast())
    })
}

/// Waits for the thread to finish and frees its handle.
///
/// # Safety
/// `thread_` is a handle from `zmq_threadstart`, not used again.
#[no_mangle]
pub unsafe extern "C" fn zmq_threadclose(thread_: *mut c_void) {
    entry(|| {
        if thread_.is_null() {
            return Err(Error::EFAULT);
        }
        // SAFETY: the handle came from Box::into_raw in zmq_threadstart and
        // is freed only here.
        let t = unsafe { Box::from_raw(thread_ as *mut AppThread) };
        t.join();
        Ok(())
    })
}

// ---------------------------------------------------------------- timers

/// A timer handler, non-NULL.
type TimerFn = unsafe extern "C" fn(timer_id: c_int, arg: *mut c_void);

/// A timer handler and the argument it was registered with.
#[derive(Clone, Copy)]
struct TimerHandler {
    func: TimerFn,
    arg: *mut c_void,
}

// SAFETY: the argument is the application's, only handed back to its
// handler on the thread that calls zmq_timers_execute; we never touch
// what it points at.
unsafe impl Send for TimerHandler {}

/// Timer sets (libzmq's live tag for one). The lock is held only between
/// handler calls, so a handler may use its own set, destroy included.
static TIMER_SETS: Registry<Timers<TimerHandler>> = Registry::new(0xCAFE_DADA);

type TimerShell = Shell<Timers<TimerHandler>>;

/// Runs `f` on the timer set; EFAULT once it is destroyed.
fn with_timers<R>(h: &TimerShell, f: impl FnOnce(&mut Timers<TimerHandler>) -> R) -> Result<R> {
    Ok(f(h.lock().as_mut().ok_or(Error::EFAULT)?))
}

/// The timer set behind a handle, or EFAULT.
///
/// # Safety
/// `p` is NULL or readable for 4 bytes: see `Registry::resolve`.
unsafe fn timers_handle(p: *mut c_void) -> Result<&'static TimerShell> {
    // SAFETY: forwarded from the caller.
    unsafe { TIMER_SETS.resolve(p) }.ok_or(Error::EFAULT)
}

/// A C `size_t` interval in milliseconds.
fn interval_ms(interval: size_t) -> u64 {
    u64::try_from(interval).unwrap_or(u64::MAX)
}

/// A new, empty timer set.
///
/// # Safety
/// No requirements; `unsafe` only for uniformity with the other exports.
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_new() -> *mut c_void {
    entry(|| Ok(TIMER_SETS.open(Timers::new()).handle()))
}

/// Frees the timer set `*timers_p` and sets `*timers_p` to NULL. 0, or -1
/// and EFAULT if `*timers_p` is not a live timer set (or `timers_p` is
/// NULL). Called from a handler, the set is freed when execution ends.
///
/// # Safety
/// `timers_p` is NULL or points to a readable, writable handle slot whose
/// content meets the contract of [`timers_handle`].
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_destroy(timers_p: *mut *mut c_void) -> c_int {
    entry(|| {
        if timers_p.is_null() {
            return Err(Error::EFAULT);
        }
        // SAFETY: non-NULL; the caller guarantees a readable slot.
        let p = unsafe { *timers_p };
        // SAFETY: per the caller's contract on the slot's content.
        let h = unsafe { timers_handle(p)? };
        TIMER_SETS.close(h).ok_or(Error::EFAULT)?;
        // SAFETY: the caller guarantees a writable slot.
        unsafe { *timers_p = std::ptr::null_mut() };
        Ok(0)
    })
}

/// Adds a timer firing every `interval` ms; returns its id (from 1). -1 and
/// EFAULT for a bad handle or a NULL handler.
///
/// # Safety
/// See [`timers_handle`]; `handler` will be called with `arg` from
/// `zmq_timers_execute`.
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_add(
    timers: *mut c_void,
    interval: size_t,
    handler: zmq_timer_fn,
    arg: *mut c_void,
) -> c_int {
    entry(|| {
        // SAFETY: forwarded from the caller.
        let h = unsafe { timers_handle(timers)? };
        let func = handler.ok_or(Error::EFAULT)?;
        with_timers(h, |t| {
            t.add(now_ms(), interval_ms(interval), TimerHandler { func, arg })
        })
    })
}

/// Cancels a timer. -1 and EINVAL if the id is unknown or already
/// cancelled; EFAULT for a bad handle.
///
/// # Safety
/// See [`timers_handle`].
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_cancel(timers: *mut c_void, timer_id: c_int) -> c_int {
    entry(|| {
        // SAFETY: forwarded from the caller.
        let h = unsafe { timers_handle(timers)? };
        with_timers(h, |t| t.cancel(timer_id))??;
        Ok(0)
    })
}

/// Changes a timer's interval and restarts it from now. -1 and EINVAL if
/// the id is unknown; EFAULT for a bad handle.
///
/// # Safety
/// See [`timers_handle`].
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_set_interval(
    timers: *mut c_void,
    timer_id: c_int,
    interval: size_t,
) -> c_int {
    entry(|| {
        // SAFETY: forwarded from the caller.
        let h = unsafe { timers_handle(timers)? };
        with_timers(h, |t| {
            t.set_interval(now_ms(), timer_id, interval_ms(interval))
        })??;
        Ok(0)
    })
}

/// Restarts a timer's interval from now. -1 and EINVAL if the id is
/// unknown; EFAULT for a bad handle.
///
/// # Safety
/// See [`timers_handle`].
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_reset(timers: *mut c_void, timer_id: c_int) -> c_int {
    entry(|| {
        // SAFETY: forwarded from the caller.
        let h = unsafe { timers_handle(timers)? };
        with_timers(h, |t| t.reset(now_ms(), timer_id))??;
        Ok(0)
    })
}

/// Milliseconds until the next timer is due (0 if overdue), or -1 if no
/// timer is active. As in libzmq, that -1 leaves errno untouched; a bad
/// handle is -1 and EFAULT.
///
/// # Safety
/// See [`timers_handle`].
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_timeout(timers: *mut c_void) -> c_long {
    entry(|| {
        // SAFETY: forwarded from the caller.
        let h = unsafe { timers_handle(timers)? };
        Ok(match with_timers(h, |t| t.timeout(now_ms()))? {
            Some(ms) => c_long::try_from(ms).unwrap_or(c_long::MAX),
            None => -1,
        })
    })
}

/// Runs the handlers of all due timers, in deadline order. 0, or -1 and
/// EFAULT for a bad handle. Handlers may call any `zmq_timers_*` function
/// on this set, `zmq_timers_destroy` included.
///
/// # Safety
/// See [`timers_handle`]; the registered handlers are called.
#[no_mangle]
pub unsafe extern "C" fn zmq_timers_execute(timers: *mut c_void) -> c_int {
    entry(|| {
        // SAFETY: forwarded from the caller.
        let h = unsafe { timers_handle(timers)? };
        let set = h.generation();
        let mut round = with_timers(h, |t| t.begin_execute(now_ms()))?;
        // The lock is released before each handler runs, so that the
        // handler can use this timer set; once a handler destroys it (and
        // perhaps makes another in the same shell), the round ends.
        while h.generation() == set {
            let Ok(Some((id, handler))) = with_timers(h, |t| t.next_due(&mut round)) else {
                break;
            };
            // SAFETY: the application registered this handler with this
            // argument through zmq_timers_add.
            unsafe { (handler.func)(id, handler.arg) };
        }
        Ok(0)
    })
}

#[cfg(test)]
#[path = "util_tests.rs"]
mod tests;
