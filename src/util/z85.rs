//! Z85 (ZeroMQ RFC 32): four octets, read as a big-endian u32, become five
//! characters of an 85-letter alphabet, most significant digit first.
//!
//! Validation is libzmq 4.3's: encoding needs a length that is a multiple
//! of 4; decoding needs a length of at least 5 that is a multiple of 5,
//! every character in the alphabet, and every 5-character group worth at
//! most `0xFFFF_FFFF`. Anything else is `EINVAL`. Nothing here panics.

use crate::error::{Error, Result};

/// The alphabet: digit value `i` is `ALPHABET[i]`.
pub const ALPHABET: &[u8; 85] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/// Marks a byte that is not in the alphabet.
const INVALID: u8 = 0xFF;

/// Byte -> digit value, `INVALID` for bytes outside the alphabet.
static DIGITS: [u8; 256] = digit_table();

const fn digit_table() -> [u8; 256] {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
}

/// Characters produced for `n` input octets (`n` a multiple of 4).
pub fn encoded_len(n: usize) -> usize {
    n / 4 * 5
}

/// Octets produced for `n` input characters (`n` a multiple of 5).
pub fn decoded_len(n: usize) -> usize {
    n / 5 * 4
}

/// Encodes `data` into `dest`, which must be exactly
/// `encoded_len(data.len())` long (no terminator is written).
///
/// `EINVAL` if `data.len()` is not a multiple of 4 or `dest` has the wrong
/// length.
pub fn encode_into(data: &[u8], dest: &mut [u8]) -> Result<()> {
    if !data.len().is_multiple_of(4) || dest.len() != encoded_len(data.len()) {
        return Err(Error::EINVAL);
    }
    for (group, out) in data.chunks_exact(4).zip(dest.chunks_exact_mut(5)) {
        let mut value = u32::from_be_bytes([group[0], group[1], group[2], group[3]]);
        for slot in out.iter_mut().rev() {
            *slot = ALPHABET[(value % 85) as usize];
            value /= 85;
        }
    }
    Ok(())
}

/// Encodes `data` as a Z85 string; `EINVAL` unless `data.len() % 4 == 0`.
pub fn encode(data: &[u8]) -> Result<String> {
    let mut out = vec![0u8; encoded_len(data.len())];
    encode_into(data, &mut out)?;
    // Every byte comes from ALPHABET, which is ASCII.
    String::from_utf8(out).map_err(|_| Error::EINVAL)
}

/// Checks the length of an encoded input as libzmq does: at least 5 and a
/// multiple of 5.
pub fn check_encoded_len(n: usize) -> Result<()> {
    if n < 5 || !n.is_multiple_of(5) {
        Err(Error::EINVAL)
    } else {
        Ok(())
    }
}

/// Decodes `src` into `dest`, which must be exactly
/// `decoded_len(src.len())` long.
///
/// Groups are written as they are decoded, so on a bad group the groups
/// before it are already in `dest` (as with libzmq). `EINVAL` for a bad
/// length, a character outside the alphabet, or a group above `0xFFFF_FFFF`.
pub fn decode_into(src: &[u8], dest: &mut [u8]) -> Result<()> {
    check_encoded_len(src.len())?;
    if dest.len() != decoded_len(src.len()) {
        return Err(Error::EINVAL);
    }
    for (group, out) in src.chunks_exact(5).zip(dest.chunks_exact_mut(4)) {
        let mut value: u32 = 0;
        for &c in group {
            let digit = DIGITS[c as usize];
            if digit == INVALID {
                return Err(Error::EINVAL);
            }
            value = value
                .checked_mul(85)
                .and_then(|v| v.checked_add(u32::from(digit)))
                .ok_or(Error::EINVAL)?;
        }
        out.copy_from_slice(&value.to_be_bytes());
    }
    Ok(())
}

/// Decodes a Z85 string (see [`decode_into`] for what is rejected).
pub fn decode(src: &[u8]) -> Result<Vec<u8>> {
    check_encoded_len(src.len())?;
    let mut out = vec![0u8; decoded_len(src.len())];
    decode_into(src, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELLO: [u8; 8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B];

    /// The 32-octet test key of the RFC 32 reference implementation.
    const RFC32_KEY: [u8; 32] = [
        0x8E, 0x0B, 0xDD, 0x69, 0x76, 0x28, 0xB9, 0x1D, 0x8F, 0x24, 0x55, 0x87, 0xEE, 0x95, 0xC5,
        0xB0, 0x4D, 0x48, 0x96, 0x3F, 0x79, 0x25, 0x98, 0x77, 0xB4, 0x9C, 0xD9, 0x06, 0x3A, 0xEA,
        0xD3, 0xB7,
    ];
    const RFC32_KEY_Z85: &str = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";

    #[test]
    fn hello_world_vector() {
        assert_eq!(encode(&HELLO).unwrap(), "HelloWorld");
        assert_eq!(decode(b"HelloWorld").unwrap(), HELLO);
    }

    #[test]
    fn rfc32_key_vector() {
        assert_eq!(encode(&RFC32_KEY).unwrap(), RFC32_KEY_Z85);
        assert_eq!(decode(RFC32_KEY_Z85.as_bytes()).unwrap(), RFC32_KEY);
    }

    #[test]
    fn extremes_round_trip() {
        assert_eq!(encode(&[0, 0, 0, 0]).unwrap(), "00000");
        assert_eq!(encode(&[0xFF; 4]).unwrap(), "%nSc0");
        assert_eq!(decode(b"%nSc0").unwrap(), [0xFF; 4]);
        assert_eq!(decode(b"00000").unwrap(), [0; 4]);
    }

    #[test]
    fn string_round_trip() {
        let s = "r^/rM9M=rMToK)63O8dCvd9D<PY<7iGlC+{BiSnG";
        assert_eq!(encode(&decode(s.as_bytes()).unwrap()).unwrap(), s);
    }

    #[test]
    fn many_round_trips() {
        let mut x: u32 = 0x1234_5678;
        for len in (0..64).step_by(4) {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (x >> 24) as u8
                })
                .collect();
            let text = encode(&data).unwrap();
            assert_eq!(text.len(), len / 4 * 5);
            if len > 0 {
                assert_eq!(decode(text.as_bytes()).unwrap(), data);
            }
        }
    }

    #[test]
    fn table_is_the_inverse_of_the_alphabet() {
        for (i, &c) in ALPHABET.iter().enumerate() {
            assert_eq!(DIGITS[c as usize] as usize, i);
        }
        let valid = (0..=255u8)
            .filter(|&c| DIGITS[c as usize] != INVALID)
            .count();
        assert_eq!(valid, 85);
        for c in [
            b' ', b'"', b'\'', b',', b';', b'\\', b'_', b'`', b'|', b'~', 0x7F, 0x80, 0xFF, 0,
        ] {
            assert_eq!(DIGITS[c as usize], INVALID, "{c:#x}");
        }
    }

    #[test]
    fn encode_rejects_bad_lengths() {
        for n in [1, 2, 3, 5, 42] {
            assert_eq!(encode(&vec![0; n]), Err(Error::EINVAL));
        }
        let mut short = [0u8; 4];
        assert_eq!(encode_into(&HELLO[..4], &mut short), Err(Error::EINVAL));
    }

    #[test]
    fn decode_rejects_bad_input() {
        for bad in [
            &b""[..],
            b"0",
            b"0000",
            b"01234567",
            b"HelloWorld0",
            b"#####",      // largest digits: above 0xFFFFFFFF
            b"%nSc1",      // 0xFFFFFFFF + 1
            b"Hello%nSc1", // second group overflows
            b"####\x047",
            b"####\x100",
            b"####\x7f",
            b"Hell ",
            b"Hell\"",
            b"Hell\xc3",
            b"Hell~",
        ] {
            assert_eq!(decode(bad), Err(Error::EINVAL), "{bad:?}");
        }
    }

    #[test]
    fn decode_writes_good_groups_before_a_bad_one() {
        let mut out = [0u8; 8];
        assert_eq!(decode_into(b"Hello~orld", &mut out), Err(Error::EINVAL));
        assert_eq!(out[..4], HELLO[..4]);
        let mut wrong = [0u8; 7];
        assert_eq!(decode_into(b"HelloWorld", &mut wrong), Err(Error::EINVAL));
    }
}
