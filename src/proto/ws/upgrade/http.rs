//! The HTTP/1.1 subset libzmq 4.3.4's ws engine reads, octet by octet:
//! one fixed start line, then `Name: value` lines, then an empty line.
//! Memory is bounded by the longest header name and value libzmq keeps
//! (1024 and 2048 octets); nothing else is stored, whatever the peer sends.
//!
//! libzmq's rules, which this follows:
//! * lines end in CRLF; a bare LF anywhere, or a CR not followed by LF, is
//!   an error;
//! * a header's name is everything before the first `:` (spaces included);
//!   spaces (not tabs) after the colon are skipped and the value is the
//!   rest of the line, trailing spaces and all;
//! * a header with an empty value is ignored.

use super::UpgradeError;

/// libzmq's MAX_HEADER_NAME_LENGTH and MAX_HEADER_VALUE_LENGTH.
pub const NAME_MAX: usize = 1024;
pub const VALUE_MAX: usize = 2048;

/// A piece of a start line.
#[derive(Clone, Copy, Debug)]
enum Pat {
    Lit(&'static [u8]),
    /// Any number of spaces, none included.
    Spaces,
    /// A request target: at least one octet other than space, CR and LF,
    /// ended by one space.
    Target,
}

/// The request line a server accepts: `GET`, spaces, any target (libzmq
/// does not look at it), exactly one space, `HTTP/1.1`.
const REQUEST: &[Pat] = &[
    Pat::Lit(b"GET "),
    Pat::Spaces,
    Pat::Target,
    Pat::Lit(b"HTTP/1.1\r\n"),
];
/// The status line a client accepts; no other status or reason phrase.
const RESPONSE: &[Pat] = &[
    Pat::Lit(b"HTTP/1.1 "),
    Pat::Spaces,
    Pat::Lit(b"101 "),
    Pat::Spaces,
    Pat::Lit(b"Switching Protocols\r\n"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// In the start line: the piece, and the octets matched of it.
    Start(usize, usize),
    LineStart,
    Name,
    /// After the colon, skipping spaces.
    Colon,
    Value,
    /// After the CR of a header line.
    LineCr,
    /// After the CR of the empty line.
    EndCr,
    Done,
    Failed(UpgradeError),
}

/// What one octet completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    More,
    /// A header line: read it with `name()` and `value()`.
    Header,
    /// The empty line: the message is complete.
    End,
}

pub(crate) struct Parser {
    start: &'static [Pat],
    state: State,
    name: Vec<u8>,
    value: Vec<u8>,
}

impl Parser {
    /// A parser for a client's request (what a server reads).
    pub(crate) fn request() -> Parser {
        Parser::new(REQUEST)
    }

    /// A parser for a server's response (what a client reads).
    pub(crate) fn response() -> Parser {
        Parser::new(RESPONSE)
    }

    fn new(start: &'static [Pat]) -> Parser {
        Parser {
            start,
            state: State::Start(0, 0),
            name: Vec::new(),
            value: Vec::new(),
        }
    }

    /// The last header's name, up to a NUL (libzmq compares C strings).
    pub(crate) fn name(&self) -> &[u8] {
        c_str(&self.name)
    }

    /// The last header's value, up to a NUL.
    pub(crate) fn value(&self) -> &[u8] {
        c_str(&self.value)
    }

    /// Takes one octet. After an error or the end every call fails.
    pub(crate) fn step(&mut self, c: u8) -> Result<Step, UpgradeError> {
        let (next, step) = self.next(c);
        self.state = next;
        match next {
            State::Failed(e) => Err(e),
            _ => Ok(step),
        }
    }

    fn next(&mut self, c: u8) -> (State, Step) {
        let more = |s| (s, Step::More);
        let bad = |e| (State::Failed(e), Step::More);
        match self.state {
            State::Start(piece, at) => self.start_line(c, piece, at),
            State::LineStart => match c {
                b'\r' => more(State::EndCr),
                b'\n' => bad(UpgradeError::HeaderLine),
                _ => {
                    // Even a colon: libzmq takes the first octet as a name's.
                    self.name.clear();
                    self.name.push(c);
                    more(State::Name)
                }
            },
            State::Name => match c {
                b'\r' | b'\n' => bad(UpgradeError::HeaderLine),
                b':' => more(State::Colon),
                _ if self.name.len() >= NAME_MAX => bad(UpgradeError::TooLong),
                _ => {
                    self.name.push(c);
                    more(State::Name)
                }
            },
            State::Colon => match c {
                b'\n' => bad(UpgradeError::HeaderLine),
                b'\r' => more(State::LineCr),
                b' ' => more(State::Colon),
                _ => {
                    self.value.clear();
                    self.value.push(c);
                    more(State::Value)
                }
            },
            State::Value => match c {
                b'\n' => bad(UpgradeError::HeaderLine),
                b'\r' => (State::LineCr, Step::Header),
                _ if self.value.len() >= VALUE_MAX => bad(UpgradeError::TooLong),
                _ => {
                    self.value.push(c);
                    more(State::Value)
                }
            },
            State::LineCr => match c {
                b'\n' => more(State::LineStart),
                _ => bad(UpgradeError::HeaderLine),
            },
            State::EndCr => match c {
                b'\n' => (State::Done, Step::End),
                _ => bad(UpgradeError::HeaderLine),
            },
            State::Done => bad(UpgradeError::Finished),
            State::Failed(e) => bad(e),
        }
    }

    fn start_line(&mut self, c: u8, piece: usize, at: usize) -> (State, Step) {
        let pieces = self.start.len();
        let after = |piece: usize| {
            if piece + 1 == pieces {
                State::LineStart
            } else {
                State::Start(piece + 1, 0)
            }
        };
        let bad = (State::Failed(UpgradeError::StartLine), Step::More);
        let Some(&pat) = self.start.get(piece) else {
            return bad;
        };
        match pat {
            Pat::Lit(s) if s.get(at) == Some(&c) => {
                if at + 1 == s.len() {
                    (after(piece), Step::More)
                } else {
                    (State::Start(piece, at + 1), Step::More)
                }
            }
            Pat::Lit(_) => bad,
            Pat::Spaces if c == b' ' => (State::Start(piece, 0), Step::More),
            // Not a space: it belongs to the next piece.
            Pat::Spaces => self.start_line(c, piece + 1, 0),
            // libzmq means to refuse CR and LF as the target's first
            // octet too, but lets them through by mistake; the line then
            // cannot be well formed anyway.
            Pat::Target => match c {
                b'\r' | b'\n' => bad,
                b' ' if at > 0 => (after(piece), Step::More),
                b' ' => bad,
                _ => (State::Start(piece, 1), Step::More),
            },
        }
    }
}

/// The octets before the first NUL.
fn c_str(b: &[u8]) -> &[u8] {
    b.iter().position(|&c| c == 0).map_or(b, |i| &b[..i])
}
