//! CURVE keys: X25519 key pairs as `crypto_box_keypair` makes them, and
//! their Z85 text form (40 characters).
//!
//! A secret key is 32 random octets kept as drawn (X25519 clamps them when
//! multiplying, as libsodium does); the public key is the secret times the
//! base point.

use crate::error::{Error, Result};
use crate::util::z85;
use x25519_dalek::{PublicKey, StaticSecret};

/// Octets in a raw key.
pub const KEY_LEN: usize = 32;
/// Characters in a Z85 key, without terminator.
pub const Z85_KEY_LEN: usize = 40;

/// A key pair, raw.
pub struct KeyPair {
    pub public: [u8; KEY_LEN],
    pub secret: [u8; KEY_LEN],
}

/// The public key that belongs to `secret`.
pub fn public_from_secret(secret: &[u8; KEY_LEN]) -> [u8; KEY_LEN] {
    PublicKey::from(&StaticSecret::from(*secret)).to_bytes()
}

/// A fresh key pair from the operating system's random source.
pub fn generate_keypair() -> Result<KeyPair> {
    let mut secret = [0u8; KEY_LEN];
    getrandom::getrandom(&mut secret).map_err(random_error)?;
    Ok(KeyPair {
        public: public_from_secret(&secret),
        secret,
    })
}

fn random_error(e: getrandom::Error) -> Error {
    e.raw_os_error().map(Error).unwrap_or(Error(libc::EIO))
}

/// Encodes a raw key as 40 Z85 characters.
pub fn key_to_z85(key: &[u8; KEY_LEN]) -> [u8; Z85_KEY_LEN] {
    let mut out = [0u8; Z85_KEY_LEN];
    // 32 is a multiple of 4 and the output is exactly 40 long.
    let encoded = z85::encode_into(key, &mut out);
    debug_assert!(encoded.is_ok());
    out
}

/// Decodes a 40-character Z85 key; `EINVAL` for any other length or text
/// that is not valid Z85.
pub fn key_from_z85(text: &[u8]) -> Result<[u8; KEY_LEN]> {
    if text.len() != Z85_KEY_LEN {
        return Err(Error::EINVAL);
    }
    let mut key = [0u8; KEY_LEN];
    z85::decode_into(text, &mut key)?;
    Ok(key)
}

/// The Z85 public key for a Z85 secret key (`EINVAL` if it does not decode
/// to 32 octets).
pub fn public_z85_from_secret_z85(secret_z85: &[u8]) -> Result<[u8; Z85_KEY_LEN]> {
    let secret = key_from_z85(secret_z85)?;
    Ok(key_to_z85(&public_from_secret(&secret)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex32(s: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }

    /// RFC 7748 section 6.1: Alice's and Bob's key pairs and shared secret.
    #[test]
    fn rfc7748_diffie_hellman_vectors() {
        let alice_sk = hex32("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        let alice_pk = hex32("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        let bob_sk = hex32("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        let bob_pk = hex32("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        let shared = hex32("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        assert_eq!(public_from_secret(&alice_sk), alice_pk);
        assert_eq!(public_from_secret(&bob_sk), bob_pk);
        assert_eq!(x25519_dalek::x25519(alice_sk, bob_pk), shared);
        assert_eq!(x25519_dalek::x25519(bob_sk, alice_pk), shared);
    }

    /// RFC 7748 section 5.2, first scalar-multiplication vector.
    #[test]
    fn rfc7748_scalar_mult_vector() {
        let k = hex32("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
        let u = hex32("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
        let out = hex32("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
        assert_eq!(x25519_dalek::x25519(k, u), out);
    }

    /// Key pairs used by libzmq's own CURVE tests.
    #[test]
    fn libzmq_test_keys() {
        for (secret, public) in [
            (
                "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6",
                "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
            ),
            (
                "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs",
                "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID",
            ),
        ] {
            let got = public_z85_from_secret_z85(secret.as_bytes()).unwrap();
            assert_eq!(&got[..], public.as_bytes());
        }
    }

    #[test]
    fn generated_pair_is_consistent() {
        let a = generate_keypair().unwrap();
        let b = generate_keypair().unwrap();
        assert_ne!(a.secret, b.secret);
        assert_eq!(public_from_secret(&a.secret), a.public);
        let pub_z85 = public_z85_from_secret_z85(&key_to_z85(&a.secret)).unwrap();
        assert_eq!(pub_z85, key_to_z85(&a.public));
        assert_eq!(key_from_z85(&key_to_z85(&a.secret)).unwrap(), a.secret);
    }

    #[test]
    fn bad_secret_keys() {
        for bad in [
            &b""[..],
            b"HelloWorld",
            b"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh",
            b"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6HelloWorld",
            b"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh~",
            b"#####%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6",
        ] {
            assert_eq!(public_z85_from_secret_z85(bad).err(), Some(Error::EINVAL));
        }
    }
}
