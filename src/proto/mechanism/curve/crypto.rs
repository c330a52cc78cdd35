//! NaCl's boxes as CURVE uses them, in libsodium's `_easy` layout: a
//! 16-octet Poly1305 tag followed by the XSalsa20 ciphertext.
//!
//! `crypto_box` is X25519 (x25519-dalek), HSalsa20 of the shared point
//! (the `beforenm` key), then `crypto_secretbox` (XSalsa20-Poly1305) under
//! that key; a secretbox (the cookie) uses its key directly. So both are a
//! [`BoxKey`], computed once per key pair and reused for every box.

use super::poly1305::{self, TAG_LEN};
use super::salsa20::{hsalsa20, Salsa20, HEAD_LEN};
use crate::error::Error;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

pub const KEY_LEN: usize = 32;
pub const NONCE_LEN: usize = 24;
pub const BOX_OVERHEAD: usize = TAG_LEN;

/// The keystream starts with the Poly1305 key; the data is XORed with
/// what follows it.
const MAC_KEY_LEN: usize = 32;

/// An XSalsa20-Poly1305 key: a secretbox key, or the key `crypto_box`
/// derives for a pair of X25519 keys. Wiped when dropped.
pub struct BoxKey([u8; KEY_LEN]);

impl Drop for BoxKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl BoxKey {
    /// A secretbox key.
    pub fn secret(key: &[u8; KEY_LEN]) -> BoxKey {
        BoxKey(*key)
    }

    /// `crypto_box_beforenm(public, secret)`; None when the peer's key
    /// yields the all-zero shared point (a small-order key), which
    /// libsodium refuses the same way, so such a box never opens.
    pub fn shared(public: &[u8; KEY_LEN], secret: &[u8; KEY_LEN]) -> Option<BoxKey> {
        let point = Zeroizing::new(x25519_dalek::x25519(*secret, *public));
        if bool::from(point.ct_eq(&[0u8; KEY_LEN])) {
            return None;
        }
        Some(BoxKey(hsalsa20(&point, &[0u8; 16])))
    }

    /// Seals `buf[TAG_LEN..]` in place and writes the tag into
    /// `buf[..TAG_LEN]` (which must be there: `buf.len() >= TAG_LEN`).
    pub fn seal_in_place(&self, nonce: &[u8; NONCE_LEN], buf: &mut [u8]) {
        seal_with(&Salsa20::xsalsa20(&self.0, nonce), buf);
    }

    /// A box of `plaintext`: tag ‖ ciphertext.
    pub fn seal(&self, nonce: &[u8; NONCE_LEN], plaintext: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(TAG_LEN + plaintext.len());
        out.extend_from_slice(&[0u8; TAG_LEN]);
        out.extend_from_slice(plaintext);
        self.seal_in_place(nonce, &mut out);
        out
    }

    /// Opens the box in `buf` (tag ‖ ciphertext) in place, leaving the
    /// plaintext in `buf[TAG_LEN..]`. False, with `buf` untouched, if it
    /// is too short or was not sealed under this key and nonce.
    pub fn open_in_place(&self, nonce: &[u8; NONCE_LEN], buf: &mut [u8]) -> bool {
        open_with(&Salsa20::xsalsa20(&self.0, nonce), buf)
    }

    /// The plaintext of the box `boxed`, if it opens.
    pub fn open(&self, nonce: &[u8; NONCE_LEN], boxed: &[u8]) -> Option<Vec<u8>> {
        let mut buf = boxed.to_vec();
        if !self.open_in_place(nonce, &mut buf) {
            return None;
        }
        buf.drain(..TAG_LEN);
        Some(buf)
    }

    /// This key for nonces that all start with `prefix` (MESSAGE boxes):
    /// XSalsa20 derives its stream key from the key and the first 16
    /// nonce octets only, so that derivation is done here, once, instead
    /// of for every frame. Same boxes, one Salsa20 core less per frame.
    pub fn with_prefix(&self, prefix: &[u8; 16]) -> PrefixKey {
        PrefixKey(Zeroizing::new(hsalsa20(&self.0, prefix)))
    }
}

/// A [`BoxKey`] bound to a 16-octet nonce prefix; boxes are then named
/// by the 8-octet suffix. Wiped when dropped.
pub struct PrefixKey(Zeroizing<[u8; KEY_LEN]>);

impl PrefixKey {
    /// As [`BoxKey::seal_in_place`] with nonce prefix ‖ `suffix`.
    pub fn seal_in_place(&self, suffix: &[u8; 8], buf: &mut [u8]) {
        seal_with(&Salsa20::new(&self.0, suffix), buf);
    }

    /// As [`BoxKey::open_in_place`] with nonce prefix ‖ `suffix`.
    pub fn open_in_place(&self, suffix: &[u8; 8], buf: &mut [u8]) -> bool {
        open_with(&Salsa20::new(&self.0, suffix), buf)
    }
}

fn seal_with(stream: &Salsa20, buf: &mut [u8]) {
    let Some((tag, data)) = buf.split_at_mut_checked(TAG_LEN) else {
        debug_assert!(false, "no room for the tag");
        return;
    };
    let head = stream.head(MAC_KEY_LEN + data.len());
    apply_stream(stream, &head, data);
    tag.copy_from_slice(&poly1305::tag(&mac_key(&head), data));
}

fn open_with(stream: &Salsa20, buf: &mut [u8]) -> bool {
    let Some((tag, data)) = buf.split_at_mut_checked(TAG_LEN) else {
        return false;
    };
    let head = stream.head(MAC_KEY_LEN + data.len());
    let expected = poly1305::tag(&mac_key(&head), data);
    if !bool::from(expected.ct_eq(&*tag)) {
        return false;
    }
    apply_stream(stream, &head, data);
    true
}

/// The Poly1305 key: the first 32 keystream octets.
fn mac_key(head: &[u8; HEAD_LEN]) -> Zeroizing<[u8; MAC_KEY_LEN]> {
    let mut k = Zeroizing::new([0u8; MAC_KEY_LEN]);
    k.copy_from_slice(&head[..MAC_KEY_LEN]);
    k
}

/// XORs the secretbox keystream into `data`: the head's octets after the
/// MAC key, then the stream from the first block past the head.
fn apply_stream(stream: &Salsa20, head: &[u8; HEAD_LEN], data: &mut [u8]) {
    let (near, far) = data.split_at_mut(data.len().min(HEAD_LEN - MAC_KEY_LEN));
    for (d, k) in near.iter_mut().zip(&head[MAC_KEY_LEN..]) {
        *d ^= k;
    }
    if !far.is_empty() {
        stream.xor((HEAD_LEN / super::salsa20::BLOCK_LEN) as u64, far);
    }
}

/// A 24-octet nonce: an ASCII prefix and a counter or random suffix.
pub fn nonce(prefix: &[u8], suffix: &[u8]) -> [u8; NONCE_LEN] {
    debug_assert_eq!(prefix.len() + suffix.len(), NONCE_LEN);
    let mut n = [0u8; NONCE_LEN];
    let (p, s) = n.split_at_mut(prefix.len().min(NONCE_LEN));
    p.copy_from_slice(&prefix[..p.len()]);
    let take = s.len().min(suffix.len());
    s[..take].copy_from_slice(&suffix[..take]);
    n
}

/// Where CURVE's random octets come from: short-term keys, the cookie
/// key and the random nonce suffixes. Injectable so tests can script a
/// handshake.
pub trait Random: Send {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error>;
}

/// The operating system's generator (getrandom(2) and its equivalents).
pub struct OsRandom;

impl Random for OsRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        getrandom::getrandom(buf)
            .map_err(|e| e.raw_os_error().map(Error).unwrap_or(Error(libc::EIO)))
    }
}

/// An X25519 key pair.
pub struct KeyPair {
    pub public: [u8; KEY_LEN],
    pub secret: Zeroizing<[u8; KEY_LEN]>,
}

impl KeyPair {
    /// A fresh pair, as `crypto_box_keypair` makes it.
    pub fn generate(random: &mut dyn Random) -> Result<KeyPair, Error> {
        let mut secret = Zeroizing::new([0u8; KEY_LEN]);
        random.fill(&mut secret[..])?;
        Ok(KeyPair {
            public: crate::util::curve::public_from_secret(&secret),
            secret,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_tamper() {
        let a = KeyPair {
            public: crate::util::curve::public_from_secret(&[1; 32]),
            secret: Zeroizing::new([1; 32]),
        };
        let b = KeyPair {
            public: crate::util::curve::public_from_secret(&[2; 32]),
            secret: Zeroizing::new([2; 32]),
        };
        let ab = BoxKey::shared(&b.public, &a.secret).unwrap();
        let ba = BoxKey::shared(&a.public, &b.secret).unwrap();
        let n = nonce(b"CurveZMQMESSAGEC", &7u64.to_be_bytes());
        for len in [0usize, 1, 31, 32, 33, 100, 1000] {
            let msg: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let boxed = ab.seal(&n, &msg);
            assert_eq!(boxed.len(), len + BOX_OVERHEAD);
            assert_eq!(ba.open(&n, &boxed).as_deref(), Some(&msg[..]));
            for flip in [0, TAG_LEN - 1, boxed.len() - 1] {
                let mut bad = boxed.clone();
                bad[flip] ^= 1;
                let before = bad.clone();
                assert!(!ba.open_in_place(&n, &mut bad), "len {len} flip {flip}");
                assert_eq!(bad, before, "a failed open leaves the box as it was");
            }
            let other = nonce(b"CurveZMQMESSAGEC", &8u64.to_be_bytes());
            assert!(ba.open(&other, &boxed).is_none());
        }
        assert!(ba.open(&n, &[0u8; TAG_LEN - 1]).is_none());
    }

    /// MESSAGE boxes made through the cached prefix are the boxes of the
    /// full nonce (which the libsodium tests pin down).
    #[test]
    fn prefix_key_boxes_equal_full_nonce_boxes() {
        let k = BoxKey::secret(&[9; 32]);
        let p = k.with_prefix(b"CurveZMQMESSAGES");
        for len in [0usize, 1, 32, 33, 200, 1000, 5000] {
            let msg = vec![0x42u8; len];
            let suffix = (len as u64 * 3 + 2).to_be_bytes();
            let full = k.seal(&nonce(b"CurveZMQMESSAGES", &suffix), &msg);
            let mut buf = [&[0u8; TAG_LEN][..], &msg].concat();
            p.seal_in_place(&suffix, &mut buf);
            assert_eq!(buf, full, "len {len}");
            assert!(p.open_in_place(&suffix, &mut buf));
            assert_eq!(&buf[TAG_LEN..], &msg[..]);
        }
    }

    #[test]
    fn small_order_keys_are_refused() {
        // The identity point and a point of order 8 (RFC 7748 section 7).
        let mut order8 = [0u8; 32];
        order8[..8].copy_from_slice(&[0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae]);
        order8[8..16].copy_from_slice(&[0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4, 0x6a]);
        order8[16..24].copy_from_slice(&[0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd]);
        order8[24..].copy_from_slice(&[0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00]);
        for bad in [[0u8; 32], order8] {
            assert!(BoxKey::shared(&bad, &[3; 32]).is_none());
        }
    }

    #[test]
    fn nonce_layout() {
        let n = nonce(b"VOUCH---", &[0xAB; 16]);
        assert_eq!(&n[..8], b"VOUCH---");
        assert_eq!(&n[8..], &[0xAB; 16]);
    }
}
