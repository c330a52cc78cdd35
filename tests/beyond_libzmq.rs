//! Where we are kinder than libzmq, kept that way: misuse that crashes
//! libzmq (a handle used after close or term, NULL buffers) returns an
//! errno here, and a classic socket used by several threads at once loses
//! and corrupts nothing. Neither is a contract (libzmq documents both as
//! undefined, and applications must not rely on them); they are best
//! effort, and these tests keep the effort from quietly regressing.
//!
//! The tests call the exported C functions. They share one lock: a closed
//! socket's shell is recycled by the next zmq_socket of any thread, so the
//! "closed handle" checks must not run alongside another test's sockets.

use std::ffi::CString;
use std::os::raw::{c_int, c_void};
use std::ptr::{null, null_mut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};
use zmq::ffi::consts::{
    ZMQ_EVENTS as EVENTS, ZMQ_IO_THREADS as IO_THREADS, ZMQ_LAST_ENDPOINT as LAST_ENDPOINT,
};
use zmq::ffi::consts::{ZMQ_LINGER as LINGER, ZMQ_PULL as PULL, ZMQ_PUSH as PUSH};
use zmq::ffi::consts::{ZMQ_RCVTIMEO as RCVTIMEO, ZMQ_SNDTIMEO as SNDTIMEO};
use zmq::ffi::ctx::*;
use zmq::ffi::socket::*;

static SERIAL: Mutex<()> = Mutex::new(());

fn errno() -> c_int {
    // SAFETY: the calling thread's errno slot.
    unsafe { *libc::__errno_location() }
}

/// A socket handle that may cross threads (the point of the second test).
#[derive(Clone, Copy)]
struct Handle(*mut c_void);
// SAFETY: the library resolves handles by tag and serialises every call on
// a socket; sharing one is what the threads test exercises.
unsafe impl Send for Handle {}
// SAFETY: as above.
unsafe impl Sync for Handle {}

impl Handle {
    /// The pointer (a method, so that closures capture the whole Handle).
    fn get(self) -> *mut c_void {
        self.0
    }
}

fn set_int(s: *mut c_void, opt: c_int, v: c_int) {
    // SAFETY: a live socket and a 4-byte int.
    let rc = unsafe { zmq_setsockopt(s, opt, &v as *const c_int as *const c_void, 4) };
    assert_eq!(rc, 0, "setsockopt {opt}: errno {}", errno());
}

fn endpoint(s: *mut c_void) -> CString {
    let mut buf = [0u8; 256];
    let mut len = buf.len();
    // SAFETY: a live socket, a buffer of `len` bytes.
    assert_eq!(
        unsafe { zmq_getsockopt(s, LAST_ENDPOINT, buf.as_mut_ptr() as *mut c_void, &mut len) },
        0
    );
    CString::new(&buf[..len - 1]).unwrap()
}

/// Expects `rc` to be the failure value with errno `want`.
#[track_caller]
fn fails(rc: c_int, want: c_int) {
    assert_eq!((rc, errno()), (-1, want));
}

#[test]
fn misuse_returns_an_errno() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let ep = CString::new("inproc://misuse").unwrap();
    let ctx = zmq_ctx_new();
    // SAFETY: every call below is misuse the library promises to survive;
    // pointers passed as buffers are valid for the lengths given.
    unsafe {
        let s = zmq_socket(ctx, PUSH);
        assert!(!s.is_null());
        // NULL buffers with a length: libzmq's memcpy would fault.
        fails(zmq_send(s, null(), 5, 0), libc::EFAULT);
        fails(zmq_recv(s, null_mut(), 5, 0), libc::EFAULT);
        fails(zmq_setsockopt(s, LINGER, null(), 4), libc::EFAULT);
        let mut len = 4usize;
        fails(
            zmq_getsockopt(s, LINGER, null_mut(), &mut len),
            libc::EFAULT,
        );
        fails(
            zmq_getsockopt(s, LINGER, null_mut(), null_mut()),
            libc::EFAULT,
        );

        // A closed socket (libzmq: freed memory) and a second close.
        assert_eq!(zmq_close(s), 0);
        fails(zmq_close(s), libc::ENOTSOCK);
        fails(
            zmq_send(s, b"x".as_ptr() as *const c_void, 1, 0),
            libc::ENOTSOCK,
        );
        let mut b = [0u8; 4];
        fails(
            zmq_recv(s, b.as_mut_ptr() as *mut c_void, 4, 0),
            libc::ENOTSOCK,
        );
        let v: c_int = 0;
        fails(
            zmq_setsockopt(s, LINGER, &v as *const c_int as *const c_void, 4),
            libc::ENOTSOCK,
        );
        fails(zmq_bind(s, ep.as_ptr()), libc::ENOTSOCK);
        // Not a socket at all (misaligned, so never a shell).
        fails(zmq_close((s as usize + 1) as *mut c_void), libc::ENOTSOCK);

        // A terminated context (libzmq: freed memory) and a second term.
        assert_eq!(zmq_ctx_term(ctx), 0);
        fails(zmq_ctx_term(ctx), libc::EFAULT);
        assert!(zmq_socket(ctx, PUSH).is_null());
        assert_eq!(errno(), libc::EFAULT);
        fails(zmq_ctx_get(ctx, IO_THREADS), libc::EFAULT);
        fails(zmq_ctx_shutdown(ctx), libc::EFAULT);
    }
}

const SENDERS: u32 = 4;
const RECEIVERS: usize = 4;
const PER_SENDER: u32 = 5000;
/// Every send and receive has this as a hang guard, never as a criterion.
const GUARD_MS: c_int = 30_000;
const GUARD: Duration = Duration::from_millis(GUARD_MS as u64);

/// Message `seq` of sender `tid`: both, then a body derived from them, of
/// 0 to 299 octets (inline and shared message bodies both).
fn message(tid: u32, seq: u32) -> Vec<u8> {
    let len = ((tid * 7 + seq * 13) % 300) as usize;
    let mut m = Vec::with_capacity(8 + len);
    m.extend_from_slice(&tid.to_le_bytes());
    m.extend_from_slice(&seq.to_le_bytes());
    m.extend((0..len).map(|i| (tid as usize ^ seq as usize ^ i) as u8));
    m
}

/// Several threads send on one PUSH, several receive on one PULL, and one
/// more reads ZMQ_EVENTS on both meanwhile; every message arrives exactly
/// once and intact. Then one stop message per receiver: each receiver
/// leaves at its first, so the last receivers must still be woken for
/// theirs while the others are gone.
fn many_threads_one_socket_pair(transport: &str) {
    let ctx = zmq_ctx_new();
    // SAFETY: live context and sockets; buffers valid for the lengths given.
    let (push, pull) = unsafe {
        let pull = zmq_socket(ctx, PULL);
        let push = zmq_socket(ctx, PUSH);
        for s in [push, pull] {
            set_int(s, LINGER, 0);
            set_int(s, RCVTIMEO, GUARD_MS);
            set_int(s, SNDTIMEO, GUARD_MS);
        }
        let at = CString::new(transport).unwrap();
        assert_eq!(zmq_bind(pull, at.as_ptr()), 0);
        assert_eq!(zmq_connect(push, endpoint(pull).as_ptr()), 0);
        (Handle(push), Handle(pull))
    };
    let done = AtomicBool::new(false);
    /// Stops the watcher however the scope ends (a failed join included).
    struct Done<'a>(&'a AtomicBool);
    impl Drop for Done<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    let got: Vec<Vec<(u32, u32)>> = thread::scope(|sc| {
        let _done = Done(&done);
        let receivers: Vec<_> = (0..RECEIVERS)
            .map(|_| {
                sc.spawn(move || {
                    let mut seen = Vec::new();
                    let mut buf = vec![0u8; 512];
                    loop {
                        let t = Instant::now();
                        // SAFETY: a live socket shared on purpose; buf holds 512 bytes.
                        let n = unsafe {
                            zmq_recv(pull.get(), buf.as_mut_ptr() as *mut c_void, buf.len(), 0)
                        };
                        assert!(
                            n >= 0,
                            "{transport}: recv failed, errno {} (EAGAIN: hang guard)",
                            errno()
                        );
                        // A receive that ran into RCVTIMEO's last look slept on
                        // a message: the hang guard, not a measure of speed.
                        assert!(
                            t.elapsed() < GUARD,
                            "{transport}: a receiver slept {:?} with messages waiting",
                            t.elapsed()
                        );
                        let m = &buf[..n as usize];
                        if m == b"stop" {
                            return seen;
                        }
                        let tid = u32::from_le_bytes(m[..4].try_into().unwrap());
                        let seq = u32::from_le_bytes(m[4..8].try_into().unwrap());
                        assert!(
                            m == message(tid, seq).as_slice(),
                            "{transport}: message {tid}/{seq} corrupted"
                        );
                        seen.push((tid, seq));
                    }
                })
            })
            .collect();
        let watcher = sc.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                for s in [push, pull] {
                    let (mut ev, mut len) = (0 as c_int, 4usize);
                    // SAFETY: a live socket; a 4-byte int.
                    let rc = unsafe {
                        zmq_getsockopt(
                            s.get(),
                            EVENTS,
                            &mut ev as *mut c_int as *mut c_void,
                            &mut len,
                        )
                    };
                    assert_eq!(rc, 0);
                }
                thread::yield_now();
            }
        });
        let senders: Vec<_> = (0..SENDERS)
            .map(|tid| {
                sc.spawn(move || {
                    for seq in 0..PER_SENDER {
                        let m = message(tid, seq);
                        // SAFETY: a live socket shared on purpose; m's bytes.
                        let rc = unsafe {
                            zmq_send(push.get(), m.as_ptr() as *const c_void, m.len(), 0)
                        };
                        assert_eq!(
                            rc,
                            m.len() as c_int,
                            "{transport}: send failed, errno {}",
                            errno()
                        );
                    }
                })
            })
            .collect();
        for s in senders {
            s.join().unwrap();
        }
        for _ in 0..RECEIVERS {
            // SAFETY: as above.
            assert_eq!(
                unsafe { zmq_send(push.get(), b"stop".as_ptr() as *const c_void, 4, 0) },
                4
            );
        }
        let got = receivers.into_iter().map(|r| r.join().unwrap()).collect();
        drop(_done);
        watcher.join().unwrap();
        got
    });
    let mut all: Vec<(u32, u32)> = got.into_iter().flatten().collect();
    all.sort_unstable();
    let want: Vec<(u32, u32)> = (0..SENDERS)
        .flat_map(|t| (0..PER_SENDER).map(move |s| (t, s)))
        .collect();
    assert_eq!(
        all.len(),
        want.len(),
        "{transport}: lost or duplicated messages"
    );
    assert!(all == want, "{transport}: lost or duplicated messages");
    // SAFETY: live handles, closed once.
    unsafe {
        assert_eq!(zmq_close(push.get()), 0);
        assert_eq!(zmq_close(pull.get()), 0);
        assert_eq!(zmq_ctx_term(ctx), 0);
    }
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// The wakeups of the shared case cost a program that keeps each socket to
/// one thread nothing: no descriptor beyond libzmq's own.
#[test]
fn a_socket_kept_to_one_thread_needs_no_extra_descriptor() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    thread::spawn(|| {
        let ctx = zmq_ctx_new();
        // SAFETY: live context and socket; a buffer of 8 bytes.
        unsafe {
            let s = zmq_socket(ctx, PULL);
            set_int(s, RCVTIMEO, 20);
            let at = CString::new("inproc://one-thread").unwrap();
            assert_eq!(zmq_bind(s, at.as_ptr()), 0);
            let before = open_fds();
            let mut b = [0u8; 8];
            for _ in 0..3 {
                fails(
                    zmq_recv(s, b.as_mut_ptr() as *mut c_void, 8, 0),
                    libc::EAGAIN,
                );
            }
            // (At most: a thread of an earlier test may still be closing
            // its own wake fd as it exits.)
            assert!(open_fds() <= before, "blocking made a descriptor");
            assert_eq!(zmq_close(s), 0);
            assert_eq!(zmq_ctx_term(ctx), 0);
        }
    })
    .join()
    .unwrap();
}

#[test]
fn a_classic_socket_shared_by_threads_loses_nothing() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    many_threads_one_socket_pair("inproc://threads");
    many_threads_one_socket_pair("tcp://127.0.0.1:*");
    many_threads_one_socket_pair("ipc://*");
}
