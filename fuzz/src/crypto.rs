//! Our CURVE primitives against RustCrypto's on arbitrary keys, nonces,
//! block counters and lengths: Salsa20/20 and XSalsa20 streams, HSalsa20,
//! Poly1305 (both our code paths), and whole `crypto_box` boxes (X25519
//! + XSalsa20-Poly1305) sealed and opened both ways.
//!
//! Input: 32-octet key, 24-octet nonce, 8-octet block counter, 32-octet
//! second key, then the message.

use crypto_box::aead::Aead;
use salsa20::cipher::{consts::U10, KeyIvInit, StreamCipher, StreamCipherSeek};
use zmq::proto::mechanism::curve::crypto::{nonce as make_nonce, BoxKey, BOX_OVERHEAD};
use zmq::proto::mechanism::curve::poly1305 as our_poly;
use zmq::proto::mechanism::curve::salsa20::{hsalsa20, Salsa20, BLOCK_LEN};

const HEADER: usize = 32 + 24 + 8 + 32;

pub fn crypto_diff(data: &[u8]) {
    if data.len() < HEADER {
        return;
    }
    let key: [u8; 32] = data[..32].try_into().unwrap_or_default();
    let nonce: [u8; 24] = data[32..56].try_into().unwrap_or_default();
    // RustCrypto seeks by octet in a u64 and counts 2^64 blocks at most:
    // keep the counter where both can address the whole message.
    let counter = u64::from_le_bytes(data[56..64].try_into().unwrap_or_default()) % (1 << 57);
    let key2: [u8; 32] = data[64..96].try_into().unwrap_or_default();
    let msg = &data[HEADER..];

    streams(&key, &nonce, counter, msg);
    macs(&key, msg);
    boxes(&key, &key2, &nonce, msg);
}

fn streams(key: &[u8; 32], nonce: &[u8; 24], counter: u64, msg: &[u8]) {
    let n8: [u8; 8] = nonce[..8].try_into().unwrap_or_default();
    let mut ours = msg.to_vec();
    Salsa20::new(key, &n8).xor(counter, &mut ours);
    let mut theirs = msg.to_vec();
    let mut c = salsa20::Salsa20::new(key.into(), (&n8).into());
    c.seek(counter * BLOCK_LEN as u64);
    c.apply_keystream(&mut theirs);
    assert_eq!(ours, theirs, "Salsa20 from block {counter}, {} octets", msg.len());

    let mut ours = msg.to_vec();
    Salsa20::xsalsa20(key, nonce).xor(counter, &mut ours);
    let mut theirs = msg.to_vec();
    let mut c = salsa20::XSalsa20::new(key.into(), nonce.into());
    c.seek(counter * BLOCK_LEN as u64);
    c.apply_keystream(&mut theirs);
    assert_eq!(ours, theirs, "XSalsa20 from block {counter}, {} octets", msg.len());

    let input: [u8; 16] = nonce[..16].try_into().unwrap_or_default();
    let theirs = salsa20::hsalsa::<U10>(key.into(), (&input).into());
    assert_eq!(hsalsa20(key, &input)[..], theirs[..], "HSalsa20");
}

fn macs(key: &[u8; 32], msg: &[u8]) {
    use poly1305::universal_hash::KeyInit;
    let theirs: [u8; 16] = poly1305::Poly1305::new(key.into()).compute_unpadded(msg).into();
    assert_eq!(our_poly::tag(key, msg), theirs, "Poly1305, {} octets", msg.len());
    assert_eq!(our_poly::tag_limbs(key, msg), theirs, "Poly1305 limbs, {} octets", msg.len());
}

fn boxes(secret: &[u8; 32], other_secret: &[u8; 32], nonce: &[u8; 24], msg: &[u8]) {
    // `secret` boxes to the public key of `other_secret`, and back.
    let public = zmq::util::curve::public_from_secret(secret);
    let other_public = zmq::util::curve::public_from_secret(other_secret);
    let Some(ours) = BoxKey::shared(&other_public, secret) else {
        // Only a small-order shared point is refused, and a public key
        // computed from a secret never gives one.
        panic!("a computed public key refused");
    };
    let back = BoxKey::shared(&public, other_secret).expect("the same shared key both ways");
    let theirs = crypto_box::SalsaBox::new(&crypto_box::PublicKey::from(other_public), &crypto_box::SecretKey::from(*secret));
    let sealed = ours.seal(nonce, msg);
    assert_eq!(sealed.len(), msg.len() + BOX_OVERHEAD);
    let reference = theirs.encrypt(nonce.into(), msg).expect("crypto_box seals anything");
    assert_eq!(sealed, reference, "crypto_box of {} octets", msg.len());
    assert_eq!(back.open(nonce, &sealed).as_deref(), Some(msg));
    // A box altered anywhere, or under another nonce, does not open.
    if !sealed.is_empty() {
        let mut bad = sealed.clone();
        let at = msg.len() % bad.len();
        bad[at] ^= 0x80;
        assert!(back.open(nonce, &bad).is_none());
    }
    let mut other_nonce = *nonce;
    other_nonce[23] ^= 1;
    assert!(back.open(&other_nonce, &sealed).is_none());
    // MESSAGE boxes go through a key bound to the nonce prefix.
    let prefixed = ours.with_prefix(&nonce[..16].try_into().unwrap_or_default());
    let mut buf = [&[0u8; BOX_OVERHEAD][..], msg].concat();
    prefixed.seal_in_place(&nonce[16..].try_into().unwrap_or_default(), &mut buf);
    assert_eq!(buf, sealed, "prefix key and full nonce differ");
    let full = make_nonce(&nonce[..16], &nonce[16..]);
    assert_eq!(&full, nonce);
}
