//! How soon mimalloc gives freed pages back to the system.
//!
//! mimalloc 3 waits a second before it purges (decommits) pages that have
//! become free, and it purges only when the thread that owns them next
//! allocates. A peer that makes an io thread or a socket's thread allocate
//! a burst (100,000 SUBSCRIBEs, say) then goes quiet left tens of MB
//! resident that libzmq, on glibc's malloc, had returned: 36 MB against
//! libzmq's 13 MB after one such round. With mimalloc 2's 10 ms the round
//! costs what it costs libzmq. The environment (MIMALLOC_PURGE_DELAY, as
//! mimalloc documents it) still decides when it is set.

/// Purge delay in milliseconds unless the environment sets one.
#[cfg_attr(any(test, fuzzing, feature = "system-alloc"), allow(dead_code))]
const PURGE_DELAY_MS: std::os::raw::c_long = 10;

/// `mi_option_purge_delay` in mimalloc.h's `mi_option_e` (libmimalloc-sys
/// names only some of the options); the test below checks it.
#[cfg_attr(
    all(any(fuzzing, feature = "system-alloc"), not(test)),
    allow(dead_code)
)]
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Applies the policy once per process; called on every zmq_ctx_new.
pub(crate) fn apply() {
    #[cfg(not(any(test, fuzzing, feature = "system-alloc")))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            let set = ["MIMALLOC_PURGE_DELAY", "MIMALLOC_RESET_DELAY"]
                .iter()
                .any(|v| std::env::var_os(v).is_some());
            if !set {
                // SAFETY: mi_option_set writes one word of mimalloc's option
                // table; any value is valid for this option.
                unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
            }
        });
    }
}

#[cfg(test)]
mod tests {
    /// The index is mimalloc's purge delay: its default (1000 ms in
    /// mimalloc 3) reads back unless the environment changed it.
    #[test]
    fn the_option_index_is_the_purge_delay() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reads one word of mimalloc's option table.
        let ms = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(ms, 1000);
    }
}
