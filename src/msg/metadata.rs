//! Connection properties attached to received messages (`zmq_msg_gets`).

use std::ffi::CString;

/// An immutable set of name/value properties; values are kept NUL-terminated
/// so `zmq_msg_gets` can hand out pointers that live as long as the message.
#[derive(Debug, Default)]
pub struct Metadata {
    props: Vec<(String, CString)>,
}

impl Metadata {
    pub fn new() -> Metadata {
        Metadata::default()
    }

    /// Adds a property; a value with an interior NUL is cut there, as a C
    /// reader would see it anyway.
    pub fn insert(&mut self, name: &str, value: &[u8]) {
        let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
        let v = CString::new(&value[..end]).unwrap_or_default();
        self.props.retain(|(n, _)| n != name);
        self.props.push((name.to_owned(), v));
    }

    /// Looks a property up by exact (case-sensitive) name.
    pub fn get(&self, name: &str) -> Option<&CString> {
        self.props.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    pub fn is_empty(&self) -> bool {
        self.props.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_is_case_sensitive() {
        let mut m = Metadata::new();
        m.insert("Socket-Type", b"DEALER");
        assert_eq!(m.get("Socket-Type").unwrap().to_bytes(), b"DEALER");
        assert!(m.get("socket-type").is_none());
    }
}
