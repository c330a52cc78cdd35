//! RFC 6455 masking (section 5.3): payload octet `i` is XORed with octet
//! `i % 4` of the frame's key, and the keys a client uses.

/// XORs `buf` with `key` as the payload octets starting at payload offset
/// `phase` (so a body that follows a flags octet starts at phase 1).
/// Applying it twice restores the input.
pub fn apply(buf: &mut [u8], key: [u8; 4], phase: usize) {
    let k: [u8; 4] = std::array::from_fn(|i| key[(phase + i) % 4]);
    // Eight octets at a time: a multiple of four keeps the key aligned.
    let wide = u64::from_ne_bytes([k[0], k[1], k[2], k[3], k[0], k[1], k[2], k[3]]);
    let mut chunks = buf.chunks_exact_mut(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        c.copy_from_slice(&(u64::from_ne_bytes(w) ^ wide).to_ne_bytes());
    }
    for (i, b) in chunks.into_remainder().iter_mut().enumerate() {
        *b ^= k[i % 4];
    }
}

/// Where a client's masking keys come from: splitmix64 over a seed the
/// connection takes from the OS once.
///
/// RFC 6455 wants keys an application's script cannot predict, to protect
/// intermediaries that cache by content from a hostile page. A ZeroMQ
/// client runs no foreign script, and libzmq 4.3.4 itself uses its
/// `generate_random` (not a cryptographic source) per frame; a seeded
/// generator costs no system call per frame.
#[derive(Clone, Debug)]
pub struct MaskGen {
    state: u64,
}

impl MaskGen {
    pub fn new(seed: u64) -> MaskGen {
        MaskGen { state: seed }
    }

    /// The next frame's key.
    pub fn next_key(&mut self) -> [u8; 4] {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z as u32).to_be_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6455_masked_hello() {
        // RFC 6455 section 5.7: "Hello" under key 37 fa 21 3d.
        let mut p = *b"Hello";
        apply(&mut p, [0x37, 0xfa, 0x21, 0x3d], 0);
        assert_eq!(p, [0x7f, 0x9f, 0x4d, 0x51, 0x58]);
        apply(&mut p, [0x37, 0xfa, 0x21, 0x3d], 0);
        assert_eq!(&p, b"Hello");
    }

    #[test]
    fn wide_path_matches_octet_by_octet_at_every_phase() {
        let key = [0x01, 0x20, 0x4f, 0xe3];
        let src: Vec<u8> = (0..103u8).collect();
        for phase in 0..8 {
            for len in [0, 1, 3, 7, 8, 9, 16, 17, 103] {
                let mut fast = src[..len].to_vec();
                apply(&mut fast, key, phase);
                let slow: Vec<u8> = src[..len]
                    .iter()
                    .enumerate()
                    .map(|(i, b)| b ^ key[(phase + i) % 4])
                    .collect();
                assert_eq!(fast, slow, "phase {phase} len {len}");
            }
        }
    }

    #[test]
    fn split_application_equals_whole() {
        // A body unmasked as it arrives in pieces ends up as if unmasked whole.
        let key = [9, 8, 7, 6];
        let mut whole: Vec<u8> = (0..50u8).collect();
        let mut parts = whole.clone();
        apply(&mut whole, key, 1);
        let (a, b) = parts.split_at_mut(13);
        apply(a, key, 1);
        apply(b, key, 1 + 13);
        assert_eq!(whole, parts);
    }

    #[test]
    fn keys_vary_and_depend_on_the_seed() {
        let mut g = MaskGen::new(1);
        let ks: Vec<[u8; 4]> = (0..64).map(|_| g.next_key()).collect();
        let distinct: std::collections::HashSet<_> = ks.iter().collect();
        assert_eq!(distinct.len(), ks.len());
        assert_ne!(MaskGen::new(2).next_key(), ks[0]);
    }
}
