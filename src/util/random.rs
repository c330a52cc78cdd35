//! Randomness where libzmq uses it: starting points for generated ids,
//! the jitter on reconnect intervals.

/// A random u32 from the OS; the clock's nanoseconds if the OS has none.
pub(crate) fn random_u32() -> u32 {
    let mut b = [0u8; 4];
    if getrandom::getrandom(&mut b).is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(7);
        return t;
    }
    u32::from_ne_bytes(b)
}
