//! Application threads for `zmq_threadstart`/`zmq_threadclose`, started the
//! way libzmq starts them: named `ZMQapp`, with the platform's default
//! thread stack size (not Rust's smaller default), and with every signal
//! blocked in the new thread.

use crate::error::Result;
use std::sync::OnceLock;
use std::thread::JoinHandle;

/// The name libzmq gives application threads.
pub(crate) const APP_THREAD_NAME: &str = "ZMQapp";

/// Used when the C library cannot tell its default stack size.
const FALLBACK_STACK_SIZE: usize = 8 << 20;

/// A running application thread; [`AppThread::join`] waits for it.
#[derive(Debug)]
pub(crate) struct AppThread {
    handle: JoinHandle<()>,
}

impl AppThread {
    /// Starts `body` on a new thread.
    pub(crate) fn spawn(body: impl FnOnce() + Send + 'static) -> Result<AppThread> {
        let handle = std::thread::Builder::new()
            .name(APP_THREAD_NAME.to_owned())
            .stack_size(default_stack_size())
            .spawn(move || {
                block_all_signals();
                body();
            })?;
        Ok(AppThread { handle })
    }

    /// Waits for the thread to finish.
    pub(crate) fn join(self) {
        // A Rust panic aborts (panic = "abort"), so there is nothing to report.
        let _ = self.handle.join();
    }
}

/// The stack size `pthread_create` gives a thread when not told otherwise
/// (glibc: from RLIMIT_STACK), which is what libzmq's threads get.
fn default_stack_size() -> usize {
    static SIZE: OnceLock<usize> = OnceLock::new();
    *SIZE.get_or_init(|| {
        let mut attr = std::mem::MaybeUninit::<libc::pthread_attr_t>::uninit();
        let mut size: libc::size_t = 0;
        // SAFETY: `attr` is initialised by pthread_attr_init before it is
        // read, and destroyed once; `size` is a valid out-pointer.
        let ok = unsafe {
            if libc::pthread_attr_init(attr.as_mut_ptr()) != 0 {
                false
            } else {
                let rc = libc::pthread_attr_getstacksize(attr.as_ptr(), &mut size);
                libc::pthread_attr_destroy(attr.as_mut_ptr());
                rc == 0
            }
        };
        if ok && size > 0 {
            size
        } else {
            FALLBACK_STACK_SIZE
        }
    })
}

/// Blocks every signal in the calling thread, as libzmq's thread routine
/// does, so signals go to the application's other threads.
pub(crate) fn block_all_signals() {
    let mut set = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
    // SAFETY: sigfillset initialises `set` before pthread_sigmask reads it;
    // a NULL old-set pointer is allowed.
    unsafe {
        if libc::sigfillset(set.as_mut_ptr()) == 0 {
            libc::pthread_sigmask(libc::SIG_BLOCK, set.as_ptr(), std::ptr::null_mut());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    #[test]
    fn runs_and_joins() {
        let ran = Arc::new(AtomicBool::new(false));
        let r = Arc::clone(&ran);
        let t = AppThread::spawn(move || {
            assert_eq!(std::thread::current().name(), Some(APP_THREAD_NAME));
            r.store(true, Ordering::SeqCst);
        })
        .unwrap();
        t.join();
        assert!(ran.load(Ordering::SeqCst));
    }

    #[test]
    fn signals_are_blocked_in_the_new_thread() {
        let blocked = Arc::new(AtomicBool::new(false));
        let b = Arc::clone(&blocked);
        AppThread::spawn(move || {
            let mut cur = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
            // SAFETY: a NULL new set only reads the mask into `cur`.
            let is_blocked = unsafe {
                libc::sigemptyset(cur.as_mut_ptr());
                libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), cur.as_mut_ptr());
                libc::sigismember(cur.as_ptr(), libc::SIGINT) == 1
                    && libc::sigismember(cur.as_ptr(), libc::SIGTERM) == 1
            };
            b.store(is_blocked, Ordering::SeqCst);
        })
        .unwrap()
        .join();
        assert!(blocked.load(Ordering::SeqCst));
    }

    #[test]
    fn stack_is_the_platform_default() {
        assert!(default_stack_size() >= 1 << 20);
        // A large frame runs fine on the new thread.
        AppThread::spawn(|| {
            let buf = [1u8; 512 * 1024];
            assert_eq!(
                std::hint::black_box(&buf)
                    .iter()
                    .map(|&b| b as usize)
                    .sum::<usize>(),
                512 * 1024
            );
        })
        .unwrap()
        .join();
    }
}
