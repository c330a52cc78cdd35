//! A [`Wire`] run through a `transport::StreamLayer` (TLS for wss): the
//! engine reads and writes the layer's bytes, and the wire inside sees
//! only plaintext. To the engine it is one more wire.
//!
//! Input: the engine reads into the layer's buffer, and the plaintext
//! the layer decodes goes straight into the inner wire's read buffer,
//! whose room was made (from the thread's pool) when the engine asked
//! where to read. The layer's buffer holds no more than the session's
//! least read room, so all a read decodes to always fits there.
//!
//! Output: the inner wire's queued chunks are encrypted into the layer's
//! output only when that is empty, and at most SEAL_AHEAD at a time. So
//! the frames a batch queues after the first are sealed together once the
//! first record is written (records of up to 16 KiB rather than one per
//! message), a large body is encrypted as the socket takes it rather than
//! all at once, and whenever the output is empty the inner wire's is too:
//! the engine never sees octets to write that are not there yet.
//!
//! Reading stops while the inner wire wants no input (the socket's pipe
//! is full), as it does without a layer, except during the layer's
//! handshake, which needs input of its own. What a peer can make us hold
//! is the layer's input buffer, one decode's plaintext, and what the
//! inner wire holds anyway.

use super::wire::Wire;
use crate::error::Error;
use crate::msg::Msg;
use crate::proto::mechanism::ZapVerdict;
use crate::proto::recycle::BufferPool;
use crate::proto::session::{Event, READ_MIN};
use crate::proto::Failure;
use crate::transport::{StreamLayer, LAYER_INPUT_MAX};
use bytes::BytesMut;
use std::io::IoSlice;
use std::time::Instant;

// One decode yields no more plaintext than the layer's buffer held, and
// every read buffer a wire gives has READ_MIN of room.
const _: () = assert!(LAYER_INPUT_MAX <= READ_MIN);

/// The most plaintext encrypted ahead of the socket: as much as a batch
/// of copied output (engine::pump's OUT_BATCH).
const SEAL_AHEAD: usize = 64 * 1024;

pub(crate) struct Layered {
    inner: Box<dyn Wire>,
    layer: Box<dyn StreamLayer>,
    /// The layer failed: the failure, as the inner wire reported it.
    failed: Option<Failure>,
}

impl Layered {
    /// `inner` over `layer`, both new.
    pub(crate) fn new(inner: Box<dyn Wire>, layer: Box<dyn StreamLayer>) -> Layered {
        Layered {
            inner,
            layer,
            failed: None,
        }
    }

    fn fail(&mut self, err: Error) {
        // A refused or broken TLS exchange: libzmq's wss engine reports the
        // errno its last non-blocking read left, EAGAIN, in the
        // HANDSHAKE_FAILED_NO_DETAIL event; so do we.
        let err = if err == Error::EPROTO {
            Error::EAGAIN
        } else {
            err
        };
        if self.failed.is_none() {
            self.failed = Some(self.inner.on_io_error(err));
        }
    }

    fn failure(&self) -> Result<(), Failure> {
        match self.failed {
            Some(f) => Err(f),
            None => Ok(()),
        }
    }

    /// Encrypts the inner wire's output, if the layer's is empty.
    fn seal(&mut self) {
        if self.failed.is_some() || self.layer.handshaking() || !self.layer.output().is_empty() {
            return;
        }
        let mut budget = SEAL_AHEAD;
        while budget > 0 && self.inner.out_len() > 0 {
            let mut slices = [IoSlice::new(&[]); 16];
            let n = self.inner.out_slices(&mut slices);
            let mut taken = 0;
            let mut result = Ok(());
            for s in &slices[..n] {
                let take = s.len().min(budget);
                result = self.layer.encode(&s[..take]);
                if result.is_err() {
                    break;
                }
                taken += take;
                budget -= take;
                if take < s.len() || budget == 0 {
                    break;
                }
            }
            if let Err(e) = result {
                self.fail(e);
                return;
            }
            self.inner.out_consumed(taken);
            if taken == 0 {
                break;
            }
        }
    }
}

impl Wire for Layered {
    fn wants_input(&self) -> bool {
        self.failed.is_none() && (self.layer.handshaking() || self.inner.wants_input())
    }

    fn read_buffer(&mut self, pool: &mut BufferPool) -> &mut BytesMut {
        // Room where the session reads, for what this read decodes to.
        let _ = self.inner.read_buffer(pool);
        self.layer.input()
    }

    fn release_input(&mut self, pool: &mut BufferPool) {
        self.inner.release_input(pool);
        self.layer.release_input();
    }

    fn on_read(&mut self) {
        if self.failed.is_some() {
            return;
        }
        // The room made in read_buffer is there: no pool is needed (an
        // empty one would only be asked if it were not).
        let plain = self.inner.read_buffer(&mut BufferPool::new());
        let before = plain.len();
        match self.layer.decode(plain) {
            Ok(()) => {
                if plain.len() > before {
                    self.inner.on_read();
                }
            }
            Err(e) => self.fail(e),
        }
        self.seal();
    }

    fn poll_event(&mut self, now: Instant) -> Result<Option<Event>, Failure> {
        self.failure()?;
        let event = self.inner.poll_event(now)?;
        self.seal();
        self.failure()?;
        if event.is_none() && self.layer.peer_closed() {
            // close_notify: nothing more is coming, as at EOF.
            return Err(self.inner.on_eof());
        }
        Ok(event)
    }

    fn can_send(&self) -> bool {
        self.failed.is_none() && self.inner.can_send()
    }

    fn send(&mut self, msg: Msg) -> Result<(), Failure> {
        self.failure()?;
        self.inner.send(msg)?;
        self.seal();
        self.failure()
    }

    fn out_len(&self) -> usize {
        let queued = if self.layer.handshaking() {
            0
        } else {
            self.inner.out_len()
        };
        self.layer.output().len() + queued
    }

    fn out_copied(&self) -> usize {
        let queued = if self.layer.handshaking() {
            0
        } else {
            self.inner.out_copied()
        };
        self.layer.output().len() + queued
    }

    fn out_slices<'a>(&'a self, out: &mut [IoSlice<'a>]) -> usize {
        let pending = self.layer.output();
        match out.first_mut() {
            Some(slot) if !pending.is_empty() => {
                *slot = IoSlice::new(pending);
                1
            }
            _ => 0,
        }
    }

    fn out_consumed(&mut self, n: usize) {
        self.layer.output_consumed(n);
        self.seal();
    }

    fn next_deadline(&self) -> Option<Instant> {
        self.inner.next_deadline()
    }

    fn on_timer(&mut self, now: Instant) -> Result<(), Failure> {
        self.failure()?;
        self.inner.on_timer(now)?;
        self.seal();
        self.failure()
    }

    fn on_eof(&mut self) -> Failure {
        self.inner.on_eof()
    }

    fn on_io_error(&mut self, err: Error) -> Failure {
        self.inner.on_io_error(err)
    }

    fn zap_reply(&mut self, v: ZapVerdict, now: Instant) -> Result<(), Failure> {
        self.failure()?;
        self.inner.zap_reply(v, now)?;
        self.seal();
        self.failure()
    }
}

#[cfg(test)]
#[path = "layered_tests.rs"]
mod tests;
