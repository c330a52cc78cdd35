//! Context handles are never freed (a stale one reads a dead tag), but a
//! terminated one is used again by the next zmq_ctx_new: making and ending
//! contexts in a loop must not grow by one handle each time (LeakSanitizer
//! counted one 24-octet leak per context before). One test, so no other
//! test in this binary takes handles from the free list meanwhile.

use std::collections::HashSet;
use std::ffi::c_void;

use zmq::ffi::consts::ZMQ_PAIR as PAIR;
use zmq::ffi::ctx::{zmq_ctx_new, zmq_ctx_term, zmq_errno};
use zmq::ffi::socket::{zmq_close, zmq_socket};

const EFAULT: i32 = 14;

struct Handle(*mut c_void);
// SAFETY: a context handle may be used from any thread (zmq_ctx_term is
// thread-safe); the test only passes the address along.
unsafe impl Send for Handle {}

#[test]
fn terminated_context_handles_are_used_again_and_never_twice() {
    // A handle ended twice: the second call is EFAULT, not a crash.
    let a = zmq_ctx_new();
    assert!(!a.is_null());
    // SAFETY: a is a live context from zmq_ctx_new.
    assert_eq!(unsafe { zmq_ctx_term(a) }, 0);
    // SAFETY: a was terminated; our handles are never freed.
    assert_eq!(unsafe { zmq_ctx_term(a) }, -1);
    assert_eq!(zmq_errno(), EFAULT);

    // A thousand contexts made and ended one after another share a handle.
    let mut seen = HashSet::new();
    for _ in 0..1000 {
        let c = zmq_ctx_new();
        seen.insert(c as usize);
        // SAFETY: c is a live context.
        assert_eq!(unsafe { zmq_ctx_term(c) }, 0);
    }
    assert_eq!(seen.len(), 1, "every zmq_ctx_new took a new handle");

    // Two threads ending one context at once: it is retired once, so the
    // next two contexts get two different handles. An open socket holds
    // both zmq_ctx_term calls in the middle until it is closed, so both
    // usually get past the handle check before either retires it.
    for _ in 0..50 {
        let c = zmq_ctx_new();
        // SAFETY: c is a live context.
        let s = unsafe { zmq_socket(c, PAIR) };
        assert!(!s.is_null());
        let enders: Vec<_> = (0..2)
            .map(|_| {
                let h = Handle(c);
                std::thread::spawn(move || {
                    let h = h;
                    // SAFETY: h is a context handle, live or just ended.
                    unsafe { zmq_ctx_term(h.0) }
                })
            })
            .collect();
        // Not a timing assertion: a head start for the enders to block.
        std::thread::sleep(std::time::Duration::from_millis(20));
        // SAFETY: s is an open socket of c.
        assert_eq!(unsafe { zmq_close(s) }, 0);
        let results: Vec<i32> = enders.into_iter().map(|t| t.join().unwrap()).collect();
        assert!(
            results.contains(&0),
            "neither zmq_ctx_term succeeded: {results:?}"
        );
        let (x, y) = (zmq_ctx_new(), zmq_ctx_new());
        assert_ne!(x, y, "one handle was handed out twice");
        // SAFETY: x and y are live contexts.
        unsafe {
            assert_eq!(zmq_ctx_term(x), 0);
            assert_eq!(zmq_ctx_term(y), 0);
        }
    }
}
