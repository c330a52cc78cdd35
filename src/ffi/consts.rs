//! Every numeric macro of `include/zmq.h`, under the same name and value,
//! for Rust callers of the library (the draft ones with the `draft`
//! feature). Defined in `crate::consts`, which the header is generated from.

#[cfg(feature = "draft")]
pub use crate::consts::draft::*;
pub use crate::consts::stable::*;
