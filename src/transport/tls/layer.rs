//! TLS as a [`StreamLayer`], over rustls' unbuffered connections: rustls
//! deframes and decrypts records in our input buffer, where the socket's
//! bytes were read, and encrypts application data straight into our
//! output buffer, from where it is written. So the only copies are the
//! ones encryption makes, and rustls' one of each decrypted record
//! (its unbuffered reader still hands records out in buffers of its own).

use crate::error::{Error, Result};
use crate::transport::{StreamLayer, LAYER_INPUT_MAX};
use bytes::{Buf, BytesMut};
use rustls::client::{ClientConnectionData, UnbufferedClientConnection};
use rustls::server::{ServerConnectionData, UnbufferedServerConnection};
use rustls::unbuffered::{ConnectionState, EncodeError, EncryptError, UnbufferedStatus};

/// An unbuffered rustls connection of either side.
pub(super) trait Records: Send {
    type Data;
    fn process<'c, 'i>(&'c mut self, input: &'i mut [u8]) -> UnbufferedStatus<'c, 'i, Self::Data>;
    fn is_handshaking(&self) -> bool;
}

impl Records for UnbufferedClientConnection {
    type Data = ClientConnectionData;
    fn process<'c, 'i>(&'c mut self, input: &'i mut [u8]) -> UnbufferedStatus<'c, 'i, Self::Data> {
        self.process_tls_records(input)
    }
    fn is_handshaking(&self) -> bool {
        (**self).is_handshaking()
    }
}

impl Records for UnbufferedServerConnection {
    type Data = ServerConnectionData;
    fn process<'c, 'i>(&'c mut self, input: &'i mut [u8]) -> UnbufferedStatus<'c, 'i, Self::Data> {
        self.process_tls_records(input)
    }
    fn is_handshaking(&self) -> bool {
        (**self).is_handshaking()
    }
}

/// An output buffer kept initialised (rustls writes into `&mut [u8]`),
/// holding `buf[start..end]`.
#[derive(Default)]
struct OutBuf {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

/// An emptied output buffer larger than this is let go: a burst of large
/// messages does not leave an idle connection holding its size.
const OUT_KEEP: usize = 16 * 1024;

impl OutBuf {
    fn pending(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    fn consumed(&mut self, n: usize) {
        self.start += n.min(self.end - self.start);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
            if self.buf.len() > OUT_KEEP {
                self.buf = Vec::new();
            }
        }
    }

    /// At least `need` octets of room after what is pending.
    fn room(&mut self, need: usize) -> &mut [u8] {
        if self.buf.len() - self.end < need && self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.buf.len() - self.end < need {
            self.buf.resize(self.end + need, 0);
        }
        &mut self.buf[self.end..]
    }

    /// Appends what `write` puts in the room given it; on Err(n), retries
    /// once with n octets of room (rustls says how many it needs).
    fn append(
        &mut self,
        guess: usize,
        mut write: impl FnMut(&mut [u8]) -> std::result::Result<usize, Option<usize>>,
    ) -> Result<()> {
        let mut need = guess;
        for _ in 0..2 {
            match write(self.room(need)) {
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(Some(required)) if required > need => need = required,
                Err(_) => break,
            }
        }
        Err(Error::EPROTO)
    }
}

/// One TLS connection, either side.
pub(super) struct TlsLayer<C: Records> {
    conn: C,
    /// Received octets not yet processed: at most one incomplete record
    /// (or handshake message) between calls.
    input: BytesMut,
    /// Plaintext rustls released while we were encrypting (it cannot be
    /// refused), for the next decode. Empty in practice: decode processes
    /// every whole record it is given.
    early_plain: BytesMut,
    output: OutBuf,
    peer_closed: bool,
    /// The failure, once there was one: every later call repeats it.
    failed: Option<rustls::Error>,
}

impl<C: Records> TlsLayer<C> {
    /// A connection, with whatever it sends first (a client's hello)
    /// already in its output.
    pub(super) fn new(conn: C) -> Result<TlsLayer<C>> {
        let mut layer = TlsLayer {
            conn,
            input: BytesMut::new(),
            early_plain: BytesMut::new(),
            output: OutBuf::default(),
            peer_closed: false,
            failed: None,
        };
        let mut sink = BytesMut::new();
        layer.run(&mut sink, None)?;
        Ok(layer)
    }

    /// What failed, if something did.
    #[cfg(test)]
    pub(super) fn failure(&self) -> Option<&rustls::Error> {
        self.failed.as_ref()
    }

    fn fail(&mut self, e: rustls::Error) -> Error {
        self.failed.get_or_insert(e);
        Error::EPROTO
    }

    /// Runs rustls over the input until it has nothing more to do without
    /// more input: answers go to the output, plaintext to `plain`; `app`,
    /// if given, is encrypted once the connection allows it.
    fn run(&mut self, plain: &mut BytesMut, mut app: Option<&[u8]>) -> Result<()> {
        if self.failed.is_some() {
            return Err(Error::EPROTO);
        }
        // Each round handles one state and discards what it consumed; a
        // bound on rounds keeps a logic error from spinning (each state
        // makes progress, and a record or handshake message is at least
        // a few octets of a buffer of LAYER_INPUT_MAX).
        for _ in 0..(4 * LAYER_INPUT_MAX) {
            let UnbufferedStatus { mut discard, state } = self.conn.process(&mut self.input[..]);
            let mut done = false;
            let outcome: std::result::Result<(), rustls::Error> = match state {
                Err(e) => Err(e),
                Ok(ConnectionState::ReadTraffic(mut traffic)) => {
                    let mut r = Ok(());
                    while let Some(record) = traffic.next_record() {
                        match record {
                            Ok(record) => {
                                discard += record.discard;
                                plain.extend_from_slice(record.payload);
                            }
                            Err(e) => {
                                r = Err(e);
                                break;
                            }
                        }
                    }
                    r
                }
                Ok(ConnectionState::EncodeTlsData(mut encode)) => {
                    let r = self.output.append(1024, |room| match encode.encode(room) {
                        Ok(n) => Ok(n),
                        Err(EncodeError::InsufficientSize(s)) => Err(Some(s.required_size)),
                        Err(_) => Err(None),
                    });
                    r.map_err(|_| rustls::Error::General("TLS output encoding".into()))
                }
                // What was encoded stays queued, in order, until the
                // engine writes it.
                Ok(ConnectionState::TransmitTlsData(transmit)) => {
                    transmit.done();
                    Ok(())
                }
                Ok(ConnectionState::WriteTraffic(mut traffic)) => {
                    done = true;
                    match app.take() {
                        Some(data) => {
                            let guess = data.len() + (data.len() / 16_384 + 1) * 64 + 256;
                            let r = self.output.append(guess, |room| {
                                match traffic.encrypt(data, room) {
                                    Ok(n) => Ok(n),
                                    Err(EncryptError::InsufficientSize(s)) => {
                                        Err(Some(s.required_size))
                                    }
                                    Err(_) => Err(None),
                                }
                            });
                            r.map_err(|_| rustls::Error::EncryptError)
                        }
                        None => Ok(()),
                    }
                }
                Ok(ConnectionState::PeerClosed) => {
                    self.peer_closed = true;
                    Ok(())
                }
                // BlockedHandshake (more input needed), Closed, and early
                // data, which neither side enables.
                Ok(_) => {
                    done = true;
                    Ok(())
                }
            };
            self.input.advance(discard.min(self.input.len()));
            outcome.map_err(|e| self.fail(e))?;
            if done {
                if app.is_some() {
                    // Asked to encrypt before the handshake was over.
                    return Err(Error::EPROTO);
                }
                return Ok(());
            }
        }
        Err(self.fail(rustls::Error::General(
            "TLS processing did not settle".into(),
        )))
    }
}

impl<C: Records> StreamLayer for TlsLayer<C> {
    fn input(&mut self) -> &mut BytesMut {
        let want = LAYER_INPUT_MAX - self.input.len();
        if self.input.capacity() == 0 {
            self.input = BytesMut::with_capacity(LAYER_INPUT_MAX);
        } else if self.input.capacity() - self.input.len() < want {
            // Moves the incomplete record back to the front: the buffer
            // is ours alone, so this never allocates.
            let _ = self.input.try_reclaim(want);
        }
        &mut self.input
    }

    fn decode(&mut self, plain: &mut BytesMut) -> Result<()> {
        if !self.early_plain.is_empty() {
            plain.extend_from_slice(&self.early_plain);
            self.early_plain.clear();
        }
        self.run(plain, None)?;
        if self.input.len() >= LAYER_INPUT_MAX {
            // A handshake message larger than the buffer: rustls waits for
            // the rest, which cannot be read. Give up rather than hang.
            return Err(self.fail(rustls::Error::General(
                "TLS handshake message too large".into(),
            )));
        }
        Ok(())
    }

    fn release_input(&mut self) {
        if self.input.is_empty() {
            self.input = BytesMut::new();
        }
    }

    fn handshaking(&self) -> bool {
        self.conn.is_handshaking()
    }

    fn peer_closed(&self) -> bool {
        self.peer_closed
    }

    fn encode(&mut self, plain: &[u8]) -> Result<()> {
        if plain.is_empty() {
            return Ok(());
        }
        let mut early = std::mem::take(&mut self.early_plain);
        let r = self.run(&mut early, Some(plain));
        self.early_plain = early;
        r
    }

    fn output(&self) -> &[u8] {
        self.output.pending()
    }

    fn output_consumed(&mut self, n: usize) {
        self.output.consumed(n);
    }
}
