//! The one error type of the crate: an errno value, as libzmq reports it.
//!
//! Everything below the ffi layer returns `Result<T, Error>`; the ffi layer
//! turns an `Err` into `-1`/`NULL` and sets `errno`.

use crate::consts;
use std::fmt;

/// An errno value. Linux's native numbers, plus libzmq's own four.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Error(pub i32);

impl Error {
    pub const EPERM: Error = Error(libc::EPERM);
    pub const ENOENT: Error = Error(libc::ENOENT);
    pub const EINTR: Error = Error(libc::EINTR);
    pub const EAGAIN: Error = Error(libc::EAGAIN);
    pub const ENOMEM: Error = Error(libc::ENOMEM);
    pub const EACCES: Error = Error(libc::EACCES);
    pub const EFAULT: Error = Error(libc::EFAULT);
    pub const EBUSY: Error = Error(libc::EBUSY);
    pub const ENODEV: Error = Error(libc::ENODEV);
    pub const EINVAL: Error = Error(libc::EINVAL);
    pub const EMFILE: Error = Error(libc::EMFILE);
    pub const EPIPE: Error = Error(libc::EPIPE);
    pub const ENOTSOCK: Error = Error(libc::ENOTSOCK);
    pub const EMSGSIZE: Error = Error(libc::EMSGSIZE);
    pub const EPROTONOSUPPORT: Error = Error(libc::EPROTONOSUPPORT);
    pub const ENOTSUP: Error = Error(libc::ENOTSUP);
    pub const EAFNOSUPPORT: Error = Error(libc::EAFNOSUPPORT);
    pub const EADDRINUSE: Error = Error(libc::EADDRINUSE);
    pub const EADDRNOTAVAIL: Error = Error(libc::EADDRNOTAVAIL);
    pub const ENETDOWN: Error = Error(libc::ENETDOWN);
    pub const ENETUNREACH: Error = Error(libc::ENETUNREACH);
    pub const ECONNABORTED: Error = Error(libc::ECONNABORTED);
    pub const ECONNRESET: Error = Error(libc::ECONNRESET);
    pub const ENOBUFS: Error = Error(libc::ENOBUFS);
    pub const ENOTCONN: Error = Error(libc::ENOTCONN);
    pub const ETIMEDOUT: Error = Error(libc::ETIMEDOUT);
    pub const ECONNREFUSED: Error = Error(libc::ECONNREFUSED);
    pub const EHOSTUNREACH: Error = Error(libc::EHOSTUNREACH);
    pub const EINPROGRESS: Error = Error(libc::EINPROGRESS);
    pub const EPROTO: Error = Error(libc::EPROTO);
    /// Operation cannot be accomplished in current state.
    pub const EFSM: Error = Error(consts::EFSM);
    /// The protocol is not compatible with the socket type.
    pub const ENOCOMPATPROTO: Error = Error(consts::ENOCOMPATPROTO);
    /// Context was terminated.
    pub const ETERM: Error = Error(consts::ETERM);
    /// No thread available.
    pub const EMTHREAD: Error = Error(consts::EMTHREAD);

    /// The errno number.
    pub fn errno(self) -> i32 {
        self.0
    }

    /// The error of the last failed libc call.
    pub fn last_os() -> Error {
        Error(
            std::io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EINVAL),
        )
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error(e.raw_os_error().unwrap_or(libc::EINVAL))
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({}: {})", self.0, strerror_text(self.0))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&strerror_text(self.0))
    }
}

/// The crate-wide result type.
pub type Result<T> = std::result::Result<T, Error>;

/// libzmq's own texts for its own numbers (and EHOSTUNREACH); `None` means
/// "ask the C library", as libzmq does on POSIX.
pub fn own_text(errnum: i32) -> Option<&'static std::ffi::CStr> {
    Some(match errnum {
        x if x == Error::EFSM.0 => c"Operation cannot be accomplished in current state",
        x if x == Error::ENOCOMPATPROTO.0 => c"The protocol is not compatible with the socket type",
        x if x == Error::ETERM.0 => c"Context was terminated",
        x if x == Error::EMTHREAD.0 => c"No thread available",
        libc::EHOSTUNREACH => c"Host unreachable",
        _ => return None,
    })
}

fn strerror_text(errnum: i32) -> String {
    match own_text(errnum) {
        Some(t) => t.to_string_lossy().into_owned(),
        None => std::io::Error::from_raw_os_error(errnum).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libzmq_numbers() {
        assert_eq!(Error::EFSM.errno(), 156_384_763);
        assert_eq!(Error::ENOCOMPATPROTO.errno(), 156_384_764);
        assert_eq!(Error::ETERM.errno(), 156_384_765);
        assert_eq!(Error::EMTHREAD.errno(), 156_384_766);
        assert_eq!(Error::ENOTSUP.errno(), 95);
    }

    #[test]
    fn own_texts() {
        assert_eq!(
            own_text(Error::ETERM.0).unwrap().to_str().unwrap(),
            "Context was terminated"
        );
        assert!(own_text(libc::EINVAL).is_none());
    }
}
