//! What the engine runs over a connection: a ZMTP session, or for STREAM
//! sockets the raw bytes themselves (libzmq's raw engine).

use crate::error::Error;
use crate::msg::{Metadata, Msg};
use crate::proto::recycle::{BufferPool, InputBuf};
use crate::proto::session::{Event, Session, READ_MIN};
use crate::proto::{Failure, MonitorEvent, Reason};
use bytes::{Bytes, BytesMut};
use std::collections::VecDeque;
use std::io::IoSlice;
use std::sync::Arc;
use std::time::Instant;

/// The session calls the engine makes, over either protocol.
pub(crate) trait Wire: Send {
    fn wants_input(&self) -> bool;
    /// The buffer to read into (with room for a large read), from `pool`
    /// if the connection holds none.
    fn read_buffer(&mut self, pool: &mut BufferPool) -> &mut BytesMut;
    /// Nothing more to read for now: gives the input buffer back to `pool`
    /// if everything read has been decoded.
    fn release_input(&mut self, pool: &mut BufferPool);
    /// Octets were added through `read_buffer`.
    fn on_read(&mut self);
    fn poll_event(&mut self, now: Instant) -> Result<Option<Event>, Failure>;
    fn can_send(&self) -> bool;
    fn send(&mut self, msg: Msg) -> Result<(), Failure>;
    fn out_len(&self) -> usize;
    /// Of `out_len()`, the octets that were copied to be queued: large
    /// bodies queued by reference cost no memory or copying, so a batch
    /// may hold more of them.
    fn out_copied(&self) -> usize;
    /// Fills `out` with the octets to write, in order; returns how many
    /// slices it used (no allocation: the engine calls it per write).
    fn out_slices<'a>(&'a self, out: &mut [IoSlice<'a>]) -> usize;
    fn out_consumed(&mut self, n: usize);
    fn next_deadline(&self) -> Option<Instant>;
    fn on_timer(&mut self, now: Instant) -> Result<(), Failure>;
    fn on_eof(&mut self) -> Failure;
    fn on_io_error(&mut self, err: Error) -> Failure;
    fn zap_reply(
        &mut self,
        v: crate::proto::mechanism::ZapVerdict,
        now: Instant,
    ) -> Result<(), Failure>;
}

impl Wire for Session {
    fn wants_input(&self) -> bool {
        Session::wants_input(self)
    }
    fn read_buffer(&mut self, pool: &mut BufferPool) -> &mut BytesMut {
        Session::read_buffer(self, pool)
    }
    fn release_input(&mut self, pool: &mut BufferPool) {
        Session::release_input(self, pool)
    }
    fn on_read(&mut self) {
        Session::on_read(self)
    }
    fn poll_event(&mut self, now: Instant) -> Result<Option<Event>, Failure> {
        Session::poll_event(self, now)
    }
    fn can_send(&self) -> bool {
        Session::can_send(self)
    }
    fn send(&mut self, msg: Msg) -> Result<(), Failure> {
        Session::send(self, msg)
    }
    fn out_len(&self) -> usize {
        Session::out_len(self)
    }
    fn out_copied(&self) -> usize {
        Session::out_copied(self)
    }
    fn out_slices<'a>(&'a self, out: &mut [IoSlice<'a>]) -> usize {
        fill(out, Session::out_chunks(self))
    }
    fn out_consumed(&mut self, n: usize) {
        Session::out_consumed(self, n)
    }
    fn next_deadline(&self) -> Option<Instant> {
        Session::next_deadline(self)
    }
    fn on_timer(&mut self, now: Instant) -> Result<(), Failure> {
        Session::on_timer(self, now)
    }
    fn on_eof(&mut self) -> Failure {
        Session::on_eof(self)
    }
    fn on_io_error(&mut self, err: Error) -> Failure {
        Session::on_io_error(self, err)
    }
    fn zap_reply(
        &mut self,
        v: crate::proto::mechanism::ZapVerdict,
        now: Instant,
    ) -> Result<(), Failure> {
        Session::zap_reply(self, v, now)
    }
}

fn fill<'a>(out: &mut [IoSlice<'a>], chunks: impl Iterator<Item = &'a [u8]>) -> usize {
    let mut n = 0;
    for (slot, c) in out.iter_mut().zip(chunks) {
        *slot = IoSlice::new(c);
        n += 1;
    }
    n
}

/// STREAM's wire: every chunk read is one message, every message sent is
/// written as is.
pub(crate) struct Raw {
    /// What the last read brought, until it is polled as a message.
    input: InputBuf,
    out: VecDeque<Bytes>,
    out_len: usize,
    metadata: Option<Arc<Metadata>>,
}

impl Raw {
    pub(crate) fn new(properties: &[(String, Vec<u8>)]) -> Raw {
        let metadata = (!properties.is_empty()).then(|| {
            let mut md = Metadata::new();
            for (k, v) in properties {
                md.insert(k, v);
            }
            Arc::new(md)
        });
        Raw {
            input: InputBuf::default(),
            out: VecDeque::new(),
            out_len: 0,
            metadata,
        }
    }

    /// A message as the raw engine delivers it: data with the connection's
    /// metadata (an empty one is a connect/disconnect notification).
    pub(crate) fn message(&self, data: Bytes) -> Msg {
        let mut m = if data.len() <= crate::msg::INLINE_MAX {
            Msg::from_slice(&data)
        } else {
            Msg::from_bytes(data)
        };
        m.set_metadata(self.metadata.clone());
        m
    }

    fn ended(errno: Error) -> Failure {
        Failure {
            event: MonitorEvent::None,
            reason: Reason::Connection,
            errno,
            handshaked: true,
        }
    }
}

impl Wire for Raw {
    fn wants_input(&self) -> bool {
        self.input.is_empty()
    }
    fn read_buffer(&mut self, pool: &mut BufferPool) -> &mut BytesMut {
        pool.make_room(&mut self.input, READ_MIN);
        &mut self.input
    }
    fn release_input(&mut self, pool: &mut BufferPool) {
        pool.release(&mut self.input);
    }
    fn on_read(&mut self) {}
    fn poll_event(&mut self, _now: Instant) -> Result<Option<Event>, Failure> {
        if self.input.is_empty() {
            return Ok(None);
        }
        let chunk = self.input.split().freeze();
        Ok(Some(Event::Message(self.message(chunk))))
    }
    fn can_send(&self) -> bool {
        true
    }
    fn send(&mut self, msg: Msg) -> Result<(), Failure> {
        if msg.size() > 0 {
            self.out_len += msg.size();
            self.out.push_back(msg.to_bytes());
        }
        Ok(())
    }
    fn out_len(&self) -> usize {
        self.out_len
    }
    fn out_copied(&self) -> usize {
        // Every message is its own slice: batch them by count of octets
        // alone, so that a run of small ones does not outgrow the iovec.
        self.out_len
    }
    fn out_slices<'a>(&'a self, out: &mut [IoSlice<'a>]) -> usize {
        fill(out, self.out.iter().map(|b| b.as_ref()))
    }
    fn out_consumed(&mut self, mut n: usize) {
        self.out_len -= n.min(self.out_len);
        while n > 0 {
            let Some(front) = self.out.front_mut() else {
                return;
            };
            if n >= front.len() {
                n -= front.len();
                self.out.pop_front();
            } else {
                let _ = front.split_to(n);
                n = 0;
            }
        }
    }
    fn next_deadline(&self) -> Option<Instant> {
        None
    }
    fn on_timer(&mut self, _now: Instant) -> Result<(), Failure> {
        Ok(())
    }
    fn on_eof(&mut self) -> Failure {
        Raw::ended(Error::EPIPE)
    }
    fn on_io_error(&mut self, err: Error) -> Failure {
        Raw::ended(err)
    }
    fn zap_reply(
        &mut self,
        _v: crate::proto::mechanism::ZapVerdict,
        _now: Instant,
    ) -> Result<(), Failure> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_passes_bytes_through_in_chunks() {
        let mut r = Raw::new(&[("Peer-Address".to_owned(), b"127.0.0.1".to_vec())]);
        r.read_buffer(&mut BufferPool::new())
            .extend_from_slice(b"GET / HTTP/1.0\r\n");
        r.on_read();
        assert!(!r.wants_input());
        match r.poll_event(Instant::now()) {
            Ok(Some(Event::Message(m))) => {
                assert_eq!(m.data(), b"GET / HTTP/1.0\r\n");
                assert!(m.metadata().and_then(|md| md.get("Peer-Address")).is_some());
            }
            other => panic!("{other:?}"),
        }
        assert!(r.wants_input());
        r.send(Msg::from_slice(b"hello ")).unwrap();
        r.send(Msg::from_slice(b"")).unwrap();
        r.send(Msg::from_slice(b"world")).unwrap();
        assert_eq!(r.out_len(), 11);
        r.out_consumed(8);
        let mut slices = [IoSlice::new(&[]); 4];
        let n = r.out_slices(&mut slices);
        assert_eq!((n, &*slices[0]), (1, &b"rld"[..]));
        r.out_consumed(3);
        assert_eq!(r.out_len(), 0);
        assert!(r.on_eof().reconnects());
    }
}
