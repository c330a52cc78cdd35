//! Differential tests of our hand-written primitives against independent
//! implementations, over many random inputs and the inputs known to trip
//! such code (rather than a few fixed vectors a lucky bug could pass):
//!
//! - Poly1305 (the 64-bit-limb code, at every length, and the length
//!   dispatch) against RustCrypto's `poly1305` and against a plain
//!   big-number evaluation of the polynomial mod 2^130 - 5 written here;
//!   RFC 8439 appendix A.3's edge-case vectors; accumulators steered onto
//!   and around p, and tags where the final addition of s wraps.
//! - Salsa20, HSalsa20 and XSalsa20 against RustCrypto's `salsa20` at
//!   every length to 1100 octets and beyond, from block counters that
//!   cross 2^32.
//! - Whole boxes (secretbox layout) against a box made from those two
//!   crates, under every SIMD level this machine can run (and the
//!   portable code), forced through `salsa20::with_level`.
//!
//! The generator is seeded: a failure names its case and reproduces.

use super::crypto::{BoxKey, NONCE_LEN};
use super::poly1305::{tag, tag_limbs, TAG_LEN};
use super::salsa20::{hsalsa20, test_levels, with_level, Salsa20, BLOCK_LEN, HEAD_LEN};
use ::poly1305::universal_hash::KeyInit;
use ::salsa20::cipher::{consts::U10, KeyIvInit, StreamCipher, StreamCipherSeek};

// ---------------------------------------------------------------------------
// Inputs

/// xoshiro256** seeded through splitmix64: deterministic, good enough to
/// spread inputs, and no dependency.
struct Rng([u64; 4]);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut z = seed;
        let mut next = || {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            x ^ (x >> 31)
        };
        Rng([next(), next(), next(), next()])
    }

    fn u64(&mut self) -> u64 {
        let s = &mut self.0;
        let out = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        out
    }

    fn below(&mut self, n: usize) -> usize {
        (self.u64() % n as u64) as usize
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let w = self.u64().to_le_bytes();
            chunk.copy_from_slice(&w[..chunk.len()]);
        }
    }

    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut a = [0u8; N];
        self.fill(&mut a);
        a
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut v = vec![0u8; len];
        self.fill(&mut v);
        v
    }

    /// A message biased towards the extremes that break limb code: all
    /// 0xFF, all zero, runs of either, or plain random.
    fn message(&mut self, len: usize) -> Vec<u8> {
        match self.below(6) {
            0 => vec![0xFF; len],
            1 => vec![0x00; len],
            2 => {
                // Whole 16-octet blocks of 0xFF or 0x00 or random.
                let mut v = self.bytes(len);
                for b in v.chunks_mut(16) {
                    match self.below(3) {
                        0 => b.fill(0xFF),
                        1 => b.fill(0),
                        _ => {}
                    }
                }
                v
            }
            3 => (0..len)
                .map(|_| {
                    if self.below(8) == 0 {
                        self.u64() as u8
                    } else {
                        0xFF
                    }
                })
                .collect(),
            _ => self.bytes(len),
        }
    }

    /// A Poly1305 key: random, or with r at its clamped maximum, or s all
    /// 0xFF (the addition of s then wraps for almost every h), or both.
    fn mac_key(&mut self) -> [u8; 32] {
        let mut k: [u8; 32] = self.array();
        match self.below(5) {
            0 => k[..16].fill(0xFF),
            1 => k[16..].fill(0xFF),
            2 => k.fill(0xFF),
            _ => {}
        }
        k
    }
}

// ---------------------------------------------------------------------------
// Reference Poly1305: the definition, evaluated with a plain big-number
// type mod p = 2^130 - 5 (no limb tricks shared with the code under test).

/// A number mod p, fully reduced, in three 64-bit words (low first).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Fe([u64; 3]);

const P: [u64; 3] = [0xFFFF_FFFF_FFFF_FFFB, 0xFFFF_FFFF_FFFF_FFFF, 3];

/// x mod p for any x < 2^384.
fn reduce(mut x: [u64; 6]) -> Fe {
    loop {
        // x = low 130 bits + 2^130 * high; 2^130 = 5 mod p.
        let mut high = [0u64; 6];
        for (i, h) in high.iter_mut().enumerate() {
            let lo = x.get(i + 2).copied().unwrap_or(0) >> 2;
            let hi = x.get(i + 3).copied().unwrap_or(0) << 62;
            *h = lo | hi;
        }
        if high == [0; 6] {
            break;
        }
        let low = [x[0], x[1], x[2] & 3, 0, 0, 0];
        let mut carry = 0u128;
        for i in 0..6 {
            let v = low[i] as u128 + high[i] as u128 * 5 + carry;
            x[i] = v as u64;
            carry = v >> 64;
        }
        assert_eq!(carry, 0);
    }
    // Now x < 2^130 < 2p: at most one subtraction.
    let mut y = [0u64; 3];
    let mut borrow = 0i128;
    for i in 0..3 {
        let v = x[i] as i128 - P[i] as i128 + borrow;
        y[i] = v as u64;
        borrow = v >> 64;
    }
    if borrow == 0 {
        Fe(y)
    } else {
        Fe([x[0], x[1], x[2]])
    }
}

impl Fe {
    const ZERO: Fe = Fe([0; 3]);
    const ONE: Fe = Fe([1, 0, 0]);

    fn from_u128(v: u128) -> Fe {
        reduce([v as u64, (v >> 64) as u64, 0, 0, 0, 0])
    }

    /// 2^k for k <= 128 (the pad bit of a block), reduced.
    fn pow2(k: u32) -> Fe {
        let mut x = [0u64; 6];
        x[(k / 64) as usize] = 1 << (k % 64);
        reduce(x)
    }

    fn add(self, o: Fe) -> Fe {
        let mut x = [0u64; 6];
        let mut carry = 0u128;
        for i in 0..3 {
            let v = self.0[i] as u128 + o.0[i] as u128 + carry;
            x[i] = v as u64;
            carry = v >> 64;
        }
        x[3] = carry as u64;
        reduce(x)
    }

    fn neg(self) -> Fe {
        // p - self, then reduce (turns p back into 0).
        let mut x = [0u64; 6];
        let mut borrow = 0i128;
        for i in 0..3 {
            let v = P[i] as i128 - self.0[i] as i128 + borrow;
            x[i] = v as u64;
            borrow = v >> 64;
        }
        assert_eq!(borrow, 0);
        reduce(x)
    }

    fn sub(self, o: Fe) -> Fe {
        self.add(o.neg())
    }

    fn mul(self, o: Fe) -> Fe {
        let mut x = [0u64; 6];
        for i in 0..3 {
            let mut carry = 0u128;
            for j in 0..3 {
                let v = self.0[i] as u128 * o.0[j] as u128 + x[i + j] as u128 + carry;
                x[i + j] = v as u64;
                carry = v >> 64;
            }
            x[i + 3] = carry as u64;
        }
        reduce(x)
    }

    /// self^(p-2), the inverse for self != 0.
    fn inv(self) -> Fe {
        let e = [P[0] - 2, P[1], P[2]];
        let mut acc = Fe::ONE;
        for bit in (0..130).rev() {
            acc = acc.mul(acc);
            if e[bit / 64] >> (bit % 64) & 1 == 1 {
                acc = acc.mul(self);
            }
        }
        acc
    }

    fn low128(self) -> u128 {
        self.0[0] as u128 | (self.0[1] as u128) << 64
    }
}

fn le128(b: &[u8]) -> u128 {
    let mut w = [0u8; 16];
    w[..b.len()].copy_from_slice(b);
    u128::from_le_bytes(w)
}

fn clamp_r(key: &[u8; 32]) -> Fe {
    Fe::from_u128(le128(&key[..16]) & 0x0fff_fffc_0fff_fffc_0fff_fffc_0fff_ffff)
}

/// The blocks of `msg` as numbers: the octets plus the pad bit above them.
fn block_values(msg: &[u8]) -> Vec<Fe> {
    msg.chunks(16)
        .map(|c| Fe::from_u128(le128(c)).add(Fe::pow2(8 * c.len() as u32)))
        .collect()
}

/// h = (((b1 r + b2) r + ...) r) mod p.
fn poly_h(r: Fe, blocks: &[Fe]) -> Fe {
    blocks.iter().fold(Fe::ZERO, |h, &b| h.add(b).mul(r))
}

fn ref_tag_from_h(h: Fe, key: &[u8; 32]) -> [u8; 16] {
    h.low128().wrapping_add(le128(&key[16..])).to_le_bytes()
}

fn ref_tag(key: &[u8; 32], msg: &[u8]) -> [u8; 16] {
    ref_tag_from_h(poly_h(clamp_r(key), &block_values(msg)), key)
}

fn rustcrypto_tag(key: &[u8; 32], msg: &[u8]) -> [u8; 16] {
    ::poly1305::Poly1305::new(key.into())
        .compute_unpadded(msg)
        .into()
}

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Ours (both entry points) against both references.
fn check_poly(key: &[u8; 32], msg: &[u8], what: &dyn std::fmt::Display) {
    let want = rustcrypto_tag(key, msg);
    assert_eq!(
        ref_tag(key, msg),
        want,
        "the two references disagree: {what}"
    );
    assert_eq!(
        tag_limbs(key, msg),
        want,
        "64-bit limbs, {what}, len {}",
        msg.len()
    );
    assert_eq!(
        tag(key, msg),
        want,
        "dispatched tag, {what}, len {}",
        msg.len()
    );
}

// ---------------------------------------------------------------------------
// Poly1305 tests

/// RFC 8439 appendix A.3, all eleven vectors; #5 to #11 were made to trip
/// limb implementations (partial reductions, h exactly p or p - 1,
/// 131-bit intermediates, the wrap of h + s).
#[test]
fn poly1305_rfc8439_a3_vectors() {
    const IETF: &[u8] = b"Any submission to the IETF intended by the Contributor for publication as all or part of an IETF Internet-Draft or RFC and any statement made within the context of an IETF activity is considered an \"IETF Contribution\". Such statements include oral statements in IETF sessions, as well as written and electronic communications made at any time or place, which are addressed to";
    const JABBERWOCKY: &[u8] = b"'Twas brillig, and the slithy toves\nDid gyre and gimble in the wabe:\nAll mimsy were the borogoves,\nAnd the mome raths outgrabe.";
    assert_eq!((IETF.len(), JABBERWOCKY.len()), (375, 127));
    let zero16 = "00000000000000000000000000000000";
    // (r, s, message, tag) for #5..#11 as the RFC lists them.
    let edge: &[(&str, &str, &str, &str)] = &[
        ("02000000000000000000000000000000", zero16, "ffffffffffffffffffffffffffffffff", "03000000000000000000000000000000"),
        (
            "02000000000000000000000000000000",
            "ffffffffffffffffffffffffffffffff",
            "02000000000000000000000000000000",
            "03000000000000000000000000000000",
        ),
        (
            "01000000000000000000000000000000",
            zero16,
            "ffffffffffffffffffffffffffffffff f0ffffffffffffffffffffffffffffff 11000000000000000000000000000000",
            "05000000000000000000000000000000",
        ),
        (
            "01000000000000000000000000000000",
            zero16,
            "ffffffffffffffffffffffffffffffff fbfefefefefefefefefefefefefefefe 01010101010101010101010101010101",
            "00000000000000000000000000000000",
        ),
        ("02000000000000000000000000000000", zero16, "fdffffffffffffffffffffffffffffff", "faffffffffffffffffffffffffffffff"),
        (
            "01000000000000000400000000000000",
            zero16,
            "e33594d7505e43b90000000000000000 3394d7505e4379cd0100000000000000 00000000000000000000000000000000 01000000000000000000000000000000",
            "14000000000000005500000000000000",
        ),
        (
            "01000000000000000400000000000000",
            zero16,
            "e33594d7505e43b90000000000000000 3394d7505e4379cd0100000000000000 00000000000000000000000000000000",
            "13000000000000000000000000000000",
        ),
    ];
    let mut vectors: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> = vec![
        (vec![0; 32], vec![0; 64], vec![0; 16]),
        (
            hex("00000000000000000000000000000000 36e5f6b5c5e06070f0efca96227a863e"),
            IETF.to_vec(),
            hex("36e5f6b5c5e06070f0efca96227a863e"),
        ),
        (
            hex("36e5f6b5c5e06070f0efca96227a863e 00000000000000000000000000000000"),
            IETF.to_vec(),
            hex("f3477e7cd95417af89a6b8794c310cf0"),
        ),
        (
            hex("1c9240a5eb55d38af333888604f6b5f0 473917c1402b80099dca5cbc207075c0"),
            JABBERWOCKY.to_vec(),
            hex("4541669a7eaaee61e708dc7cbcc5eb62"),
        ),
    ];
    for (r, s, m, t) in edge {
        vectors.push(([hex(r), hex(s)].concat(), hex(m), hex(t)));
    }
    for (i, (key, msg, want)) in vectors.iter().enumerate() {
        let key: [u8; 32] = key[..].try_into().unwrap();
        let n = i + 1;
        assert_eq!(
            &tag_limbs(&key, msg)[..],
            &want[..],
            "A.3 #{n}, 64-bit limbs"
        );
        assert_eq!(&tag(&key, msg)[..], &want[..], "A.3 #{n}, dispatched");
        assert_eq!(
            &ref_tag(&key, msg)[..],
            &want[..],
            "A.3 #{n}, big-number reference"
        );
        assert_eq!(
            &rustcrypto_tag(&key, msg)[..],
            &want[..],
            "A.3 #{n}, RustCrypto"
        );
    }
}

/// Random keys and messages at every length 0..=300 (128 each, biased to
/// all-0xFF / all-zero blocks, r at its maximum, s all 0xFF), and random
/// longer ones on both sides of the 4 KiB switch to RustCrypto's code,
/// where the limb code is also run on its own.
#[test]
fn poly1305_matches_references_at_every_length() {
    let mut rng = Rng::new(0x5EED_1305);
    let mut cases = 0;
    for len in 0..=300 {
        for i in 0..128 {
            let (key, msg) = (rng.mac_key(), rng.message(len));
            check_poly(&key, &msg, &format_args!("random case {i}"));
            cases += 1;
        }
    }
    for i in 0..400 {
        let len = match i % 4 {
            0 => 4096 - 48 + rng.below(96),
            1 => 301 + rng.below(4000),
            _ => 4096 + rng.below(20_000),
        };
        let (key, msg) = (rng.mac_key(), rng.message(len));
        check_poly(&key, &msg, &format_args!("long case {i}"));
        cases += 1;
    }
    assert_eq!(cases, 301 * 128 + 400);
}

/// Accumulators steered onto the values where a final reduction goes
/// wrong: with r = 1 or 2 the limb code never reduces along the way, so
/// h is handed to the final step exactly as the sum, anywhere in
/// [p - 8, 2^130 - 2] (the fully carried h >= p that must lose p, and
/// the values just below p that must not).
#[test]
fn poly1305_unreduced_h_around_p() {
    let mut n = 0;
    for delta in -8i128..=3 {
        // r = 1, two full blocks: h = m1 + m2 = 2^129 + c1 + c2, which is
        // p + delta = 2^130 - 5 + delta for c1 = 2^128 - 1 and
        // c2 = 2^128 - 4 + delta.
        let c1 = u128::MAX;
        let c2 = u128::MAX - (3 - delta) as u128;
        let msg = [c1.to_le_bytes(), c2.to_le_bytes()].concat();
        let want_h = if delta >= 0 {
            Fe::from_u128(delta as u128)
        } else {
            Fe::ZERO.sub(Fe::from_u128(-delta as u128))
        };
        assert_eq!(
            poly_h(Fe::ONE, &block_values(&msg)),
            want_h,
            "construction, p {delta:+}"
        );
        for s in [[0u8; 16], [0xFF; 16], [0x80; 16], [0xFB; 16]] {
            let mut key = [0u8; 32];
            key[0] = 1;
            key[16..].copy_from_slice(&s);
            check_poly(
                &key,
                &msg,
                &format_args!("r = 1, h = p {delta:+}, s {:02x}..", s[0]),
            );
            n += 1;
        }
    }
    // r = 2, one block: h = 2 m for m in [2^128, 2^129): every even h up
    // to 2^130 - 2, including p + 1 and p + 3 (RFC #5 is p + 3).
    for k in 0..16u128 {
        let c = u128::MAX - k;
        for s in [[0u8; 16], [0xFF; 16]] {
            let mut key = [0u8; 32];
            key[0] = 2;
            key[16..].copy_from_slice(&s);
            check_poly(
                &key,
                &c.to_le_bytes(),
                &format_args!("r = 2, c = 2^128 - {}", k + 1),
            );
            n += 1;
        }
    }
    // r = 4 and 8, one short block of 0xFF octets with its pad bit: h
    // just under 2^(8 len + 3), the top limb partly filled.
    for len in 1..16 {
        for r in [4u8, 8] {
            let mut key = [0xFFu8; 32];
            key[..16].fill(0);
            key[0] = r;
            check_poly(
                &key,
                &vec![0xFF; len],
                &format_args!("r = {r}, {len} octets of 0xFF"),
            );
            n += 1;
        }
    }
    assert_eq!(n, 12 * 4 + 32 + 30);
}

/// For random keys (and r at its clamped maximum), random messages of
/// random lengths with one full block solved for so that the final h is
/// a chosen value: 0..=6 (whose unreduced forms are p..p + 6), p - 1,
/// p - 2, p - 5, p - 6, values around 2^128 and 2^129; with s such that
/// h + s wraps to exactly 0 or ends exactly at 2^128 - 1. The limb code carries and reduces along the way
/// here, so these reach its final step in many representations.
#[test]
fn poly1305_steered_final_h() {
    let mut rng = Rng::new(0x0070_A25E);
    let neg = |k: u128| Fe::ZERO.sub(Fe::from_u128(k));
    let targets: Vec<Fe> = [0u128, 1, 2, 3, 4, 5, 6, u128::MAX, u128::MAX - 4]
        .iter()
        .map(|&v| Fe::from_u128(v))
        .chain([
            neg(1),
            neg(2),
            neg(5),
            neg(6),
            Fe::pow2(128),
            Fe::pow2(129),
            Fe::pow2(128).add(Fe::ONE),
        ])
        .collect();
    let mut cases = 0;
    for round in 0..256 {
        for (ti, &target) in targets.iter().enumerate() {
            let mut key = rng.mac_key();
            if round % 4 == 0 {
                key[..16].fill(0xFF); // r at its clamped maximum
            }
            // s so that target + s wraps (or lands exactly on 2^128 - 1).
            match round % 3 {
                0 => {
                    key[16..].copy_from_slice(&(0u128.wrapping_sub(target.low128())).to_le_bytes())
                }
                1 => key[16..].copy_from_slice(&(u128::MAX - target.low128()).to_le_bytes()),
                _ => {}
            }
            let r = clamp_r(&key);
            assert_ne!(r, Fe::ZERO);
            // Find a message whose block `at` can be solved for (the
            // solution must be a full block's value, 2^128 + c; other
            // octets around it vary from try to try).
            let mut found = None;
            for _ in 0..200 {
                let len = 17 + rng.below(200);
                let mut msg = rng.message(len);
                let at = rng.below(len / 16);
                let mut blocks = block_values(&msg);
                blocks[at] = Fe::ZERO;
                // h = (h_before + m_at) r^(k - at) + rest, linear in m_at.
                let base = poly_h(r, &blocks);
                let mut scale = Fe::ONE;
                for _ in at..blocks.len() {
                    scale = scale.mul(r);
                }
                let m = target.sub(base).mul(scale.inv());
                if m.0[2] == 1 {
                    msg[16 * at..16 * at + 16].copy_from_slice(&(m.low128()).to_le_bytes());
                    found = Some(msg);
                    break;
                }
            }
            let msg = found.unwrap_or_else(|| {
                panic!("no solvable message: target {ti} {target:?} round {round} r {r:?}")
            });
            assert_eq!(poly_h(r, &block_values(&msg)), target, "construction");
            check_poly(
                &key,
                &msg,
                &format_args!("steered h, target {ti}, round {round}"),
            );
            cases += 1;
        }
    }
    assert_eq!(cases, 256 * targets.len());
}

// ---------------------------------------------------------------------------
// Salsa20 tests

fn rc_salsa20(key: &[u8; 32], nonce: &[u8; 8], counter: u64, data: &mut [u8]) {
    let mut c = ::salsa20::Salsa20::new(key.into(), nonce.into());
    c.seek(counter * BLOCK_LEN as u64);
    c.apply_keystream(data);
}

fn rc_xsalsa20(key: &[u8; 32], nonce: &[u8; 24], counter: u64, data: &mut [u8]) {
    let mut c = ::salsa20::XSalsa20::new(key.into(), nonce.into());
    c.seek(counter * BLOCK_LEN as u64);
    c.apply_keystream(data);
}

/// Block counters to start from: small ones, and ones whose run of
/// blocks crosses 2^32 (the carry into the counter's high word) at every
/// offset within an eight-block batch.
fn counters(rng: &mut Rng) -> Vec<u64> {
    let mut c = vec![
        0,
        1,
        3,
        4,
        5,
        7,
        8,
        9,
        rng.below(1 << 20) as u64,
        rng.u64() >> 8,
    ];
    c.extend((1..=9).map(|k| (1u64 << 32) - k));
    c.extend([(2u64 << 32) - 3, (0xABCD_u64 << 32) - 1]);
    c
}

#[test]
fn hsalsa20_matches_rustcrypto() {
    let mut rng = Rng::new(0x45A1_5A20);
    for i in 0..2000 {
        let key: [u8; 32] = if i == 0 { [0xFF; 32] } else { rng.array() };
        let input: [u8; 16] = if i == 1 { [0xFF; 16] } else { rng.array() };
        let theirs = ::salsa20::hsalsa::<U10>((&key).into(), (&input).into());
        assert_eq!(hsalsa20(&key, &input)[..], theirs[..], "case {i}");
    }
}

/// `Salsa20::xor` from many block counters at every length 0..=1100 and
/// at random long ones, `block` and `head` too, under every SIMD level.
#[test]
fn salsa20_matches_rustcrypto() {
    let levels = test_levels();
    // Not vacuous: the portable code, and SSE2 beside AVX2 on x86.
    assert!(levels.iter().any(|(_, l)| l.is_none()));
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    assert!(levels.iter().any(|(n, _)| *n == "sse2"));
    let mut rng = Rng::new(0x5A15_A200);
    let mut cases = 0;
    for (name, level) in levels {
        with_level(level, || {
            let long: Vec<usize> = (0..8).map(|_| 1101 + rng.below(70_000)).collect();
            for len in (0..=1100).chain(long) {
                let (key, nonce) = (rng.array::<32>(), rng.array::<8>());
                let cs = counters(&mut rng);
                let counter = cs[len % cs.len()];
                let data = rng.bytes(len);
                let mut ours = data.clone();
                Salsa20::new(&key, &nonce).xor(counter, &mut ours);
                let mut theirs = data;
                rc_salsa20(&key, &nonce, counter, &mut theirs);
                assert!(ours == theirs, "{name}: len {len} from block {counter:#x}");
                cases += 1;
            }
            // Every counter at the lengths around SIMD batch edges.
            let (key, nonce) = (rng.array::<32>(), rng.array::<8>());
            let stream = Salsa20::new(&key, &nonce);
            for counter in counters(&mut rng) {
                for len in [
                    1, 63, 64, 65, 255, 256, 257, 511, 512, 513, 767, 768, 769, 1023, 1024, 1025,
                    4160,
                ] {
                    let mut ours = vec![0u8; len];
                    stream.xor(counter, &mut ours);
                    let mut theirs = vec![0u8; len];
                    rc_salsa20(&key, &nonce, counter, &mut theirs);
                    assert!(
                        ours == theirs,
                        "{name}: zeros, len {len} from block {counter:#x}"
                    );
                    cases += 1;
                }
                let mut theirs = [0u8; BLOCK_LEN];
                rc_salsa20(&key, &nonce, counter, &mut theirs);
                assert_eq!(stream.block(counter), theirs, "{name}: block {counter:#x}");
            }
            for need in 0..=HEAD_LEN {
                let head = stream.head(need);
                let mut theirs = vec![0u8; need];
                rc_salsa20(&key, &nonce, 0, &mut theirs);
                assert_eq!(&head[..need], &theirs[..], "{name}: head {need}");
            }
        });
    }
    assert!(cases > 1100 * 2, "{cases}");
}

/// XSalsa20 (HSalsa20 subkey, then the nonce's last 8 octets) at every
/// length 0..=1100, from block 0 and from block 4 (where a box's stream
/// continues after its head), under every SIMD level.
#[test]
fn xsalsa20_matches_rustcrypto() {
    let mut rng = Rng::new(0x0C5A_15A2);
    for (name, level) in test_levels() {
        with_level(level, || {
            let long: Vec<usize> = (0..4).map(|_| 1101 + rng.below(70_000)).collect();
            for len in (0..=1100).chain(long) {
                let (key, nonce) = (rng.array::<32>(), rng.array::<24>());
                for counter in [0, 4] {
                    let data = rng.bytes(len);
                    let mut ours = data.clone();
                    Salsa20::xsalsa20(&key, &nonce).xor(counter, &mut ours);
                    let mut theirs = data;
                    rc_xsalsa20(&key, &nonce, counter, &mut theirs);
                    assert!(ours == theirs, "{name}: len {len} from block {counter}");
                }
            }
        });
    }
}

// ---------------------------------------------------------------------------
// Whole boxes

/// crypto_secretbox from the reference crates: the first 32 keystream
/// octets are the Poly1305 key, the data is XORed with the octets after
/// them, and the tag (over the ciphertext) goes first.
fn reference_box(key: &[u8; 32], nonce: &[u8; NONCE_LEN], plaintext: &[u8]) -> Vec<u8> {
    let mut stream = vec![0u8; 32 + plaintext.len()];
    rc_xsalsa20(key, nonce, 0, &mut stream);
    let ct: Vec<u8> = plaintext
        .iter()
        .zip(&stream[32..])
        .map(|(p, k)| p ^ k)
        .collect();
    let mac_key: [u8; 32] = stream[..32].try_into().unwrap();
    [&rustcrypto_tag(&mac_key, &ct)[..], &ct].concat()
}

/// Boxes at every length 0..=1100 and random long ones, sealed through
/// both key types, equal the reference box; they open, and with any one
/// bit flipped they do not (leaving the buffer as it was). Under every
/// SIMD level.
#[test]
fn boxes_match_reference_under_every_level() {
    let mut rng = Rng::new(0xB0C5_1305);
    let mut tags_by_level: Vec<(&str, Vec<[u8; TAG_LEN]>)> = Vec::new();
    let levels = test_levels();
    for &(name, level) in &levels {
        // The same inputs for every level.
        let mut rng = Rng::new(0xB0C5_0000);
        let mut tags = Vec::new();
        with_level(level, || {
            for len in (0..=1100).chain([4095, 4096, 4097, 8191, 65_536, 100_003]) {
                let (key, nonce) = (rng.array::<32>(), rng.array::<NONCE_LEN>());
                let msg = rng.message(len);
                let want = reference_box(&key, &nonce, &msg);
                let k = BoxKey::secret(&key);
                let sealed = k.seal(&nonce, &msg);
                assert!(sealed == want, "{name}: box of length {len}");
                let prefix: [u8; 16] = nonce[..16].try_into().unwrap();
                let suffix: [u8; 8] = nonce[16..].try_into().unwrap();
                let mut buf = [&[0u8; TAG_LEN][..], &msg].concat();
                k.with_prefix(&prefix).seal_in_place(&suffix, &mut buf);
                assert!(buf == want, "{name}: prefix-key box of length {len}");
                assert!(
                    k.with_prefix(&prefix).open_in_place(&suffix, &mut buf),
                    "{name}: opens, length {len}"
                );
                assert!(
                    buf[TAG_LEN..] == msg[..],
                    "{name}: round trip, length {len}"
                );
                assert_eq!(
                    k.open(&nonce, &want).as_deref(),
                    Some(&msg[..]),
                    "{name}: opens, length {len}"
                );
                tags.push(<[u8; TAG_LEN]>::try_from(&sealed[..TAG_LEN]).unwrap());
            }
        });
        tags_by_level.push((name, tags));
    }
    for (name, tags) in &tags_by_level[1..] {
        assert!(
            tags == &tags_by_level[0].1,
            "{name} and {} tags differ",
            tags_by_level[0].0
        );
    }
    // Forgeries: one bit flipped anywhere, under every level.
    for &(name, level) in &levels {
        with_level(level, || {
            for i in 0..600 {
                let len = if i < 300 { i } else { rng.below(5000) };
                let (key, nonce) = (rng.array::<32>(), rng.array::<NONCE_LEN>());
                let k = BoxKey::secret(&key);
                let mut bad = k.seal(&nonce, &rng.bytes(len));
                let bit = rng.below(bad.len() * 8);
                bad[bit / 8] ^= 1 << (bit % 8);
                let before = bad.clone();
                assert!(
                    !k.open_in_place(&nonce, &mut bad),
                    "{name}: forged box of length {len}, bit {bit}"
                );
                assert!(bad == before, "{name}: a refused box is left as it was");
            }
        });
    }
}
