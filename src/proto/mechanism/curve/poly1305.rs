//! Poly1305 (RFC 8439 section 2.5), the one-time authenticator of NaCl's
//! boxes.
//!
//! Two implementations, picked by length. RustCrypto's `poly1305` selects
//! AVX2 code at run time and is the fastest on long inputs, but spends
//! over a microsecond setting up for each key, which would dominate
//! small frames (every CURVE frame has its own key). Short inputs
//! therefore go through the 64-bit-limb code below (h and r in three
//! limbs of 44/44/42 bits, products in u128), which has no setup cost.

use poly1305::universal_hash::{KeyInit, UniversalHash};

pub const TAG_LEN: usize = 16;

/// From about this length on the vectorised code wins despite its setup
/// (measured on x86_64 with AVX2: equal at 4 KiB, twice as fast at 16).
const BULK_MIN: usize = 4096;

/// The tag of `msg` under the one-time key `key` (r ‖ s).
pub fn tag(key: &[u8; 32], msg: &[u8]) -> [u8; TAG_LEN] {
    if msg.len() >= BULK_MIN {
        // Whole blocks through the four-at-a-time path (`compute_unpadded`
        // alone takes them one by one), the tail through the unpadded one.
        let whole = msg.len() - msg.len() % 16;
        let mut mac = poly1305::Poly1305::new(key.into());
        mac.update_padded(&msg[..whole]);
        mac.compute_unpadded(&msg[whole..]).into()
    } else {
        Limbs::new(key).finish(msg)
    }
}

/// The 64-bit-limb code alone, whatever the length (differential tests
/// and fuzz/).
pub fn tag_limbs(key: &[u8; 32], msg: &[u8]) -> [u8; TAG_LEN] {
    Limbs::new(key).finish(msg)
}

const MASK44: u64 = (1 << 44) - 1;
const MASK42: u64 = (1 << 42) - 1;

fn le64(b: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[..8]);
    u64::from_le_bytes(w)
}

/// The accumulator and key in radix 2^44 (2^130 = 2^(44+44+42)).
struct Limbs {
    r: [u64; 3],
    s: [u64; 2],
    h: [u64; 3],
}

impl Drop for Limbs {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.r);
        zeroize::Zeroize::zeroize(&mut self.s);
        zeroize::Zeroize::zeroize(&mut self.h);
    }
}

impl Limbs {
    fn new(key: &[u8; 32]) -> Limbs {
        let (t0, t1) = (le64(&key[0..8]), le64(&key[8..16]));
        // r is clamped as the algorithm requires (top four bits of every
        // 32-bit word and the low two bits of the upper three cleared).
        let r0 = t0 & 0xffc_0fff_ffff;
        let r1 = ((t0 >> 44) | (t1 << 20)) & 0xfff_ffc0_ffff;
        let r2 = (t1 >> 24) & 0x00f_ffff_fc0f;
        Limbs {
            r: [r0, r1, r2],
            s: [le64(&key[16..24]), le64(&key[24..32])],
            h: [0; 3],
        }
    }

    /// h = (h + block + hibit * 2^128) * r mod 2^130 - 5.
    fn block(&mut self, m: &[u8], hibit: u64) {
        let [r0, r1, r2] = self.r;
        // 2^130 = 5 mod p, and limb weights make that 5 * 4 = 20 above limb 2.
        let (s1, s2) = (r1 * 20, r2 * 20);
        let [mut h0, mut h1, mut h2] = self.h;
        let (t0, t1) = (le64(&m[0..8]), le64(&m[8..16]));
        h0 += t0 & MASK44;
        h1 += ((t0 >> 44) | (t1 << 20)) & MASK44;
        h2 += ((t1 >> 24) & MASK42) | hibit;
        let mul = |a: u64, b: u64| a as u128 * b as u128;
        let d0 = mul(h0, r0) + mul(h1, s2) + mul(h2, s1);
        let d1 = mul(h0, r1) + mul(h1, r0) + mul(h2, s2);
        let d2 = mul(h0, r2) + mul(h1, r1) + mul(h2, r0);
        let mut c = (d0 >> 44) as u64;
        h0 = d0 as u64 & MASK44;
        let d1 = d1 + c as u128;
        c = (d1 >> 44) as u64;
        h1 = d1 as u64 & MASK44;
        let d2 = d2 + c as u128;
        c = (d2 >> 42) as u64;
        h2 = d2 as u64 & MASK42;
        h0 += c * 5;
        c = h0 >> 44;
        h0 &= MASK44;
        h1 += c;
        self.h = [h0, h1, h2];
    }

    fn finish(mut self, msg: &[u8]) -> [u8; TAG_LEN] {
        let mut blocks = msg.chunks_exact(16);
        for b in &mut blocks {
            self.block(b, 1 << 40);
        }
        let rest = blocks.remainder();
        if !rest.is_empty() {
            // A short last block gets its 0x01 octet inside the 16.
            let mut b = [0u8; 16];
            b[..rest.len()].copy_from_slice(rest);
            b[rest.len()] = 1;
            self.block(&b, 0);
        }
        let [mut h0, mut h1, mut h2] = self.h;
        // Fully carry h: the first round can leave a carry into h1 that
        // the second absorbs.
        let mut c;
        for _ in 0..2 {
            c = h1 >> 44;
            h1 &= MASK44;
            h2 += c;
            c = h2 >> 42;
            h2 &= MASK42;
            h0 += c * 5;
            c = h0 >> 44;
            h0 &= MASK44;
            h1 += c;
        }
        // g = h - p; keep g if it did not go negative (constant time).
        let mut g0 = h0 + 5;
        c = g0 >> 44;
        g0 &= MASK44;
        let mut g1 = h1 + c;
        c = g1 >> 44;
        g1 &= MASK44;
        let g2 = h2.wrapping_add(c).wrapping_sub(1 << 42);
        let keep_g = (g2 >> 63).wrapping_sub(1);
        h0 = (h0 & !keep_g) | (g0 & keep_g);
        h1 = (h1 & !keep_g) | (g1 & keep_g);
        h2 = (h2 & !keep_g) | (g2 & keep_g);
        // tag = (h + s) mod 2^128.
        let [s0, s1] = self.s;
        h0 += s0 & MASK44;
        c = h0 >> 44;
        h0 &= MASK44;
        h1 += (((s0 >> 44) | (s1 << 20)) & MASK44) + c;
        c = h1 >> 44;
        h1 &= MASK44;
        h2 += ((s1 >> 24) & MASK42) + c;
        let lo = h0 | (h1 << 44);
        let hi = (h1 >> 20) | (h2 << 24);
        let mut out = [0u8; TAG_LEN];
        out[..8].copy_from_slice(&lo.to_le_bytes());
        out[8..].copy_from_slice(&hi.to_le_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 8439 section 2.5.2.
    #[test]
    fn rfc8439_vector() {
        let key: [u8; 32] = hex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b")
            .try_into()
            .unwrap();
        let msg = b"Cryptographic Forum Research Group";
        assert_eq!(
            Limbs::new(&key).finish(msg).to_vec(),
            hex("a8061dc1305136c6c22b8baf0c0127a9")
        );
        assert_eq!(
            tag(&key, msg).to_vec(),
            hex("a8061dc1305136c6c22b8baf0c0127a9")
        );
    }

    /// The long-input path is Poly1305 too, at every tail length.
    #[test]
    fn bulk_path_matches_limbs() {
        let msg: Vec<u8> = (0..BULK_MIN + 40).map(|i| (i * 13) as u8).collect();
        for len in BULK_MIN..=BULK_MIN + 40 {
            let key = [len as u8; 32];
            assert_eq!(
                tag(&key, &msg[..len]),
                Limbs::new(&key).finish(&msg[..len]),
                "len {len}"
            );
        }
    }

    /// Both implementations agree at every length around block edges and
    /// on inputs that push h towards p.
    #[test]
    fn limbs_match_rustcrypto() {
        for fill in [0x00u8, 0x5A, 0xFF] {
            let key = [fill ^ 0x33; 32];
            let msg = vec![fill; 1100];
            for len in (0..=70).chain([127, 128, 129, 1024, 1099, 1100]) {
                let ours = Limbs::new(&key).finish(&msg[..len]);
                let theirs: [u8; 16] = poly1305::Poly1305::new((&key).into())
                    .compute_unpadded(&msg[..len])
                    .into();
                assert_eq!(ours, theirs, "fill {fill:#x} len {len}");
            }
        }
    }
}
