//! The client side of a SOCKS5 handshake as data: what to send next, how
//! much to read next, and how it ended. No sockets: [`super::SocksPrelude`]
//! moves the octets.
//!
//! The exchange is libzmq's (`socks_connecter_t`): a greeting offering
//! one method (username/password, RFC 1929, when a username is set, else
//! none), the proxy's choice, the credentials if it chose them, then
//! CONNECT for the endpoint and the proxy's reply. Each reply is read no
//! further than its own end.

use super::reply::{code_errno, parse_reply, Progress, MAX_REPLY};
use super::target::Target;
use crate::error::{Error, Result};

/// SOCKS5 methods (RFC 1928 section 3).
pub const METHOD_NONE: u8 = 0x00;
pub const METHOD_USERNAME: u8 = 0x02;
pub const NO_ACCEPTABLE_METHOD: u8 = 0xff;

/// Where the handshake stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// [`Client::output`] has octets to send.
    Send,
    /// Up to [`Client::wants`] octets are to be read.
    Receive,
    /// The proxy connected to the endpoint: the stream is the peer's.
    Done,
    Failed(Error),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Greeting,
    Choice,
    Credentials,
    CredentialsReply,
    Request,
    Reply,
    Done,
    Failed(Error),
}

/// One handshake with a proxy, for one connect attempt.
pub struct Client {
    stage: Stage,
    /// What the current sending stage sends, and how much of it went.
    out: Vec<u8>,
    sent: usize,
    /// The current reply, as far as it has come.
    input: [u8; MAX_REPLY],
    got: usize,
    username: Vec<u8>,
    password: Vec<u8>,
    /// The endpoint, or why it cannot be asked for (known from the start,
    /// reported where libzmq finds out: when the request is due).
    target: Result<Target>,
}

impl Client {
    /// A handshake asking for `target` (the address part of a `tcp://`
    /// endpoint). An empty `username` means no authentication, whatever
    /// the password, as in libzmq.
    pub fn new(target: &str, username: &[u8], password: &[u8]) -> Client {
        let method = if username.is_empty() {
            METHOD_NONE
        } else {
            METHOD_USERNAME
        };
        Client {
            stage: Stage::Greeting,
            out: vec![0x05, 0x01, method],
            sent: 0,
            input: [0; MAX_REPLY],
            got: 0,
            username: username.to_vec(),
            password: password.to_vec(),
            target: Target::parse(target),
        }
    }

    pub fn status(&self) -> Status {
        match self.stage {
            Stage::Greeting | Stage::Credentials | Stage::Request => Status::Send,
            Stage::Choice | Stage::CredentialsReply | Stage::Reply => Status::Receive,
            Stage::Done => Status::Done,
            Stage::Failed(e) => Status::Failed(e),
        }
    }

    /// The octets still to send (empty unless the status is `Send`).
    pub fn output(&self) -> &[u8] {
        match self.status() {
            Status::Send => &self.out[self.sent..],
            _ => &[],
        }
    }

    /// `n` octets of [`Client::output`] were sent.
    pub fn sent(&mut self, n: usize) {
        if self.status() != Status::Send {
            return;
        }
        self.sent = (self.sent + n).min(self.out.len());
        if self.sent < self.out.len() {
            return;
        }
        self.got = 0;
        self.stage = match self.stage {
            Stage::Greeting => Stage::Choice,
            Stage::Credentials => Stage::CredentialsReply,
            _ => Stage::Reply,
        };
    }

    /// How many octets to read at most: the rest of the current reply as
    /// far as its start tells (0 unless the status is `Receive`).
    pub fn wants(&self) -> usize {
        match self.stage {
            Stage::Choice | Stage::CredentialsReply => 2 - self.got,
            Stage::Reply => match parse_reply(&self.input[..self.got]) {
                Ok(Progress::Need(n)) => n,
                _ => 0,
            },
            _ => 0,
        }
    }

    /// Takes what was read, up to [`Client::wants`] octets of it, and
    /// returns how many it took: the rest is not the handshake's.
    pub fn received(&mut self, data: &[u8]) -> usize {
        let n = data.len().min(self.wants());
        self.input[self.got..self.got + n].copy_from_slice(&data[..n]);
        self.got += n;
        let next = match self.stage {
            Stage::Choice => self.on_choice(),
            Stage::CredentialsReply => self.on_credentials_reply(),
            Stage::Reply => self.on_reply(),
            _ => return 0,
        };
        match next {
            Ok(Some(s)) => self.stage = s,
            Ok(None) => {}
            Err(e) => self.stage = Stage::Failed(e),
        }
        n
    }

    /// VER METHOD: version 5 (checked on the first octet), then the
    /// method. libzmq follows either method it knows, whichever it
    /// offered (without a username, it sends empty credentials).
    fn on_choice(&mut self) -> Result<Option<Stage>> {
        match self.pair() {
            (Some(v), _) if v != 0x05 => Err(Error::EPROTO),
            (_, Some(METHOD_NONE)) => self.request().map(Some),
            (_, Some(METHOD_USERNAME)) => self.credentials().map(Some),
            (_, Some(NO_ACCEPTABLE_METHOD)) => Err(Error::EACCES),
            (_, Some(_)) => Err(Error::EPROTO),
            _ => Ok(None),
        }
    }

    /// VER STATUS (RFC 1929): version 1, status 0 for success.
    fn on_credentials_reply(&mut self) -> Result<Option<Stage>> {
        match self.pair() {
            (Some(v), _) if v != 0x01 => Err(Error::EPROTO),
            (_, Some(0)) => self.request().map(Some),
            (_, Some(_)) => Err(Error::EACCES),
            _ => Ok(None),
        }
    }

    /// The octets of a two-octet reply that have arrived.
    fn pair(&self) -> (Option<u8>, Option<u8>) {
        let v = &self.input[..self.got.min(2)];
        (v.first().copied(), v.get(1).copied())
    }

    fn on_reply(&mut self) -> Result<Option<Stage>> {
        match parse_reply(&self.input[..self.got])? {
            Progress::Need(_) => Ok(None),
            Progress::Complete(r) if r.code == 0 => Ok(Some(Stage::Done)),
            Progress::Complete(r) => Err(code_errno(r.code)),
        }
    }

    /// VER ULEN UNAME PLEN PASSWD (RFC 1929).
    fn credentials(&mut self) -> Result<Stage> {
        let (u, p) = (&self.username, &self.password);
        // The options cap both at 255 octets.
        if u.len() > 255 || p.len() > 255 {
            return Err(Error::EINVAL);
        }
        let mut out = Vec::with_capacity(3 + u.len() + p.len());
        out.push(0x01);
        out.push(u.len() as u8);
        out.extend_from_slice(u);
        out.push(p.len() as u8);
        out.extend_from_slice(p);
        self.start_sending(out);
        Ok(Stage::Credentials)
    }

    fn request(&mut self) -> Result<Stage> {
        let out = self.target.as_ref().map_err(|e| *e)?.request();
        self.start_sending(out);
        Ok(Stage::Request)
    }

    fn start_sending(&mut self, out: Vec<u8>) {
        self.out = out;
        self.sent = 0;
    }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
