//! What a routing strategy needs of its socket's pipes.
//!
//! The strategies only choose *which* pipe a frame goes to or comes from;
//! the pipes themselves live below them in `pipe`, which implements this
//! trait for its table. Keeping the trait here makes the dependency one-way
//! (`pipe` uses `routing`, never the reverse) and lets the strategies be
//! tested against an in-memory fake. The strategies take it as a generic
//! parameter, not `dyn`: the library has one implementation, so each
//! strategy is compiled for it alone and inlined as before.

use super::indexed::Slot;
use crate::msg::Msg;

/// A socket's pipes, addressed by the slot numbers given to the strategies.
///
/// A slot passed to these methods is live: the strategies forget a slot in
/// `pipe_terminated`, before its pipe goes. A pipe that refused a read or a
/// write stays out of the strategy's active set until the socket reports it
/// `activated` again; the strategies do not poll it in between.
pub(crate) trait PipeSet {
    /// Reads one frame, or `None` if the pipe has nothing readable now (or
    /// was found closed). Messages are published whole: once a frame with
    /// MORE was read, the rest of its message is readable.
    fn read(&mut self, s: Slot) -> Option<Msg>;

    /// Whether a frame can be read now (as `read`, without taking it).
    fn check_read(&mut self, s: Slot) -> bool;

    /// Writes one frame, or hands it back if the pipe cannot take it (at
    /// its high-water mark, or closing). Frames are held back until `flush`.
    fn write(&mut self, s: Slot, m: Msg) -> Result<(), Msg>;

    /// Whether a frame can be written now (as `write`, without a frame).
    fn check_write(&mut self, s: Slot) -> bool;

    /// Publishes the complete messages written so far to the peer.
    fn flush(&mut self, s: Slot);

    /// Drops the frames written of a message not yet complete.
    fn rollback(&mut self, s: Slot);

    /// Whether a message could be written now, without marking the pipe
    /// inactive when it could not (XPUB_NODROP, RADIO's lossless mode).
    fn check_hwm(&mut self, s: Slot) -> bool;
}
