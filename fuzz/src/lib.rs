//! The bodies of the fuzz targets, as plain functions of the input bytes:
//! the libFuzzer binaries in `fuzz_targets/` call them, and
//! `tests/replay.rs` runs every file of `corpus/<target>/` through them on
//! the stable toolchain. A target panics (and so fails) on a crash, a
//! broken invariant, or a difference from the reference it is checked
//! against.

pub mod codec;
pub mod crypto;
pub mod datagram;
pub mod endpoint;
pub mod libzmq;
pub mod metadata;
pub mod seeds;
pub mod session;
pub mod sockopt;
pub mod socks;
pub mod ws;
pub mod x509;
pub mod z85;
pub mod zap;

use session::{run, run_ws, Mech, Side};

pub use codec::{decoder, greeting};
pub use crypto::crypto_diff;
pub use datagram::datagram;
pub use endpoint::endpoint;
pub use metadata::metadata;
pub use sockopt::sockopt;
pub use socks::socks_reply;
pub use ws::{ws_decoder, ws_upgrade};
pub use x509::x509;
pub use z85::z85;
pub use zap::zap_reply;

pub fn session_null_server(data: &[u8]) {
    run(Mech::Null, Side::Server, data);
}

pub fn session_null_client(data: &[u8]) {
    run(Mech::Null, Side::Client, data);
}

pub fn session_plain_server(data: &[u8]) {
    run(Mech::Plain, Side::Server, data);
}

pub fn session_plain_client(data: &[u8]) {
    run(Mech::Plain, Side::Client, data);
}

pub fn session_curve_server(data: &[u8]) {
    run(Mech::Curve, Side::Server, data);
}

pub fn session_curve_client(data: &[u8]) {
    run(Mech::Curve, Side::Client, data);
}

/// A ws server session (NULL, PLAIN or CURVE by the knobs) fed a client.
pub fn ws_session_server(data: &[u8]) {
    run_ws(Side::Server, data);
}

/// A ws client session fed a server.
pub fn ws_session_client(data: &[u8]) {
    run_ws(Side::Client, data);
}

/// Every target by name, as in `fuzz_targets/` and `corpus/`.
pub const TARGETS: [(&str, fn(&[u8])); 21] = [
    ("greeting", greeting),
    ("decoder", decoder),
    ("session_null_server", session_null_server),
    ("session_null_client", session_null_client),
    ("session_plain_server", session_plain_server),
    ("session_plain_client", session_plain_client),
    ("session_curve_server", session_curve_server),
    ("session_curve_client", session_curve_client),
    ("metadata", metadata),
    ("zap_reply", zap_reply),
    ("endpoint", endpoint),
    ("z85", z85),
    ("sockopt", sockopt),
    ("crypto_diff", crypto_diff),
    ("socks_reply", socks_reply),
    ("datagram", datagram),
    ("ws_upgrade", ws_upgrade),
    ("ws_decoder", ws_decoder),
    ("ws_session_server", ws_session_server),
    ("ws_session_client", ws_session_client),
    ("x509", x509),
];
