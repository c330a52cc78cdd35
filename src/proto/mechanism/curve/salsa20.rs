//! Salsa20/20, HSalsa20 and the XSalsa20 stream (D. J. Bernstein's
//! specifications), the cipher under NaCl's `crypto_box` and
//! `crypto_secretbox`.
//!
//! Ours rather than the `salsa20` crate's because CURVE runs every frame
//! through it: that crate computes one block at a time in portable code,
//! about a fifth of libsodium's speed on 64 KiB frames. Here streams are
//! computed four or eight blocks at once, one block per SIMD lane, with
//! the instruction set picked at run time by `fearless_simd` (AVX2 where
//! the CPU has it, as libsodium does; SSE2 or NEON otherwise), and no
//! unsafe code of our own. Known-answer tests against libsodium are in
//! `kat_tests.rs`.

use fearless_simd::prelude::*;
use fearless_simd::{u32x4, u8x16, Level};
#[cfg(any(target_arch = "x86", target_arch = "x86_64", test))]
use fearless_simd::{u32x8, u8x32};

pub const BLOCK_LEN: usize = 64;

/// "expand 32-byte k", the constant of Salsa20 with a 256-bit key.
const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// Words 8 and 9 of the input: the block counter (low word first).
const COUNTER_LOW: usize = 8;
const COUNTER_HIGH: usize = 9;

fn le_words<const N: usize>(bytes: &[u8]) -> [u32; N] {
    let mut out = [0u32; N];
    for (w, c) in out.iter_mut().zip(bytes.chunks_exact(4)) {
        *w = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    out
}

/// The 16-word input: constants on the diagonal, key around them, the
/// 16 octets of `nonce` (nonce then counter for Salsa20, the HSalsa20
/// input otherwise) in words 6..10.
fn input(key: &[u8; 32], nonce: &[u8; 16]) -> [u32; 16] {
    let k: [u32; 8] = le_words(key);
    let n: [u32; 4] = le_words(nonce);
    [
        SIGMA[0], k[0], k[1], k[2], k[3], SIGMA[1], n[0], n[1], n[2], n[3], SIGMA[2], k[4], k[5],
        k[6], k[7], SIGMA[3],
    ]
}

/// One quarter-round on any word type (scalar or SIMD lanes).
macro_rules! quarter {
    ($add:expr, $rotl:expr, $a:expr, $b:expr, $c:expr, $d:expr) => {
        $b ^= $rotl($add($a, $d), 7);
        $c ^= $rotl($add($b, $a), 9);
        $d ^= $rotl($add($c, $b), 13);
        $a ^= $rotl($add($d, $c), 18);
    };
}

/// Ten double rounds (column round, then row round) over `x`.
macro_rules! double_rounds {
    ($add:expr, $rotl:expr, $x:ident) => {
        for _ in 0..10 {
            quarter!($add, $rotl, $x[0], $x[4], $x[8], $x[12]);
            quarter!($add, $rotl, $x[5], $x[9], $x[13], $x[1]);
            quarter!($add, $rotl, $x[10], $x[14], $x[2], $x[6]);
            quarter!($add, $rotl, $x[15], $x[3], $x[7], $x[11]);
            quarter!($add, $rotl, $x[0], $x[1], $x[2], $x[3]);
            quarter!($add, $rotl, $x[5], $x[6], $x[7], $x[4]);
            quarter!($add, $rotl, $x[10], $x[11], $x[8], $x[9]);
            quarter!($add, $rotl, $x[15], $x[12], $x[13], $x[14]);
        }
    };
}

fn scalar_rounds(x: &mut [u32; 16]) {
    double_rounds!(u32::wrapping_add, u32::rotate_left, x);
}

/// HSalsa20: derives a key from `key` and 16 input octets (the first 16
/// of an XSalsa20 nonce, or zeros for `crypto_box_beforenm`).
pub fn hsalsa20(key: &[u8; 32], input16: &[u8; 16]) -> [u8; 32] {
    let mut x = input(key, input16);
    scalar_rounds(&mut x);
    let mut out = [0u8; 32];
    for (o, i) in out.chunks_exact_mut(4).zip([0, 5, 10, 15, 6, 7, 8, 9]) {
        o.copy_from_slice(&x[i].to_le_bytes());
    }
    // The rounds are invertible: the whole state would give the key back.
    zeroize::Zeroize::zeroize(&mut x);
    out
}

/// A Salsa20/20 keystream under one key and 8-octet nonce.
pub struct Salsa20 {
    /// The input block with a zero counter.
    input: [u32; 16],
}

impl Drop for Salsa20 {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.input);
    }
}

/// Keystream octets computed at once by [`Salsa20::head`]: four blocks.
pub const HEAD_LEN: usize = 4 * BLOCK_LEN;
/// Octets per batch of the eight-lane (AVX2) path.
const WIDE_LEN: usize = 8 * BLOCK_LEN;

impl Salsa20 {
    pub fn new(key: &[u8; 32], nonce: &[u8; 8]) -> Salsa20 {
        let mut n = [0u8; 16];
        n[..8].copy_from_slice(nonce);
        Salsa20 {
            input: input(key, &n),
        }
    }

    /// XSalsa20: Salsa20 under the HSalsa20 subkey of the nonce's first 16
    /// octets, with its last 8 as the nonce. Callers that reuse a nonce
    /// prefix can keep the subkey and call [`Salsa20::new`] instead.
    pub fn xsalsa20(key: &[u8; 32], nonce: &[u8; 24]) -> Salsa20 {
        let (head, tail) = nonce.split_at(16);
        let mut h = [0u8; 16];
        h.copy_from_slice(head);
        let mut t = [0u8; 8];
        t.copy_from_slice(tail);
        let subkey = zeroize::Zeroizing::new(hsalsa20(key, &h));
        Salsa20::new(&subkey, &t)
    }

    /// Keystream block number `counter`.
    pub fn block(&self, counter: u64) -> [u8; BLOCK_LEN] {
        let mut s = self.input;
        s[COUNTER_LOW] = counter as u32;
        s[COUNTER_HIGH] = (counter >> 32) as u32;
        let mut x = s;
        scalar_rounds(&mut x);
        let mut out = [0u8; BLOCK_LEN];
        for ((o, a), b) in out.chunks_exact_mut(4).zip(x).zip(s) {
            o.copy_from_slice(&a.wrapping_add(b).to_le_bytes());
        }
        // s holds the key, and x (by the inverse rounds) s.
        zeroize::Zeroize::zeroize(&mut s);
        zeroize::Zeroize::zeroize(&mut x);
        out
    }

    /// The first `HEAD_LEN` keystream octets, of which the caller needs
    /// `need`: one block computed alone when that is enough, else four
    /// lanes at once (cheaper than two blocks one after the other).
    pub fn head(&self, need: usize) -> zeroize::Zeroizing<[u8; HEAD_LEN]> {
        let mut out = zeroize::Zeroizing::new([0u8; HEAD_LEN]);
        if need <= BLOCK_LEN {
            out[..BLOCK_LEN].copy_from_slice(&self.block(0));
        } else {
            four_blocks(&self.input, 0, &mut out[..]);
        }
        out
    }

    /// XORs the keystream from the start of block `counter` into `data`.
    pub fn xor(&self, mut counter: u64, data: &mut [u8]) {
        let done = eight_block_batches(&self.input, counter, data);
        counter = counter.wrapping_add((done / BLOCK_LEN) as u64);
        let mut four = data[done..].chunks_exact_mut(HEAD_LEN);
        for chunk in &mut four {
            four_blocks(&self.input, counter, chunk);
            counter = counter.wrapping_add(4);
        }
        for chunk in four.into_remainder().chunks_mut(BLOCK_LEN) {
            let ks = self.block(counter);
            for (d, k) in chunk.iter_mut().zip(ks) {
                *d ^= k;
            }
            counter = counter.wrapping_add(1);
        }
    }
}

/// The instruction sets to compute with: the best this CPU has. Tests can
/// force a lower one, or (None) the portable one-block code, with
/// [`with_level`].
#[inline(always)]
fn simd_level() -> Option<Level> {
    #[cfg(test)]
    if let Some(forced) = FORCED_LEVEL.with(std::cell::Cell::get) {
        return forced;
    }
    Some(Level::new())
}

#[cfg(test)]
thread_local! {
    static FORCED_LEVEL: std::cell::Cell<Option<Option<Level>>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` with this thread's streams computed at `level` (None: no
/// SIMD at all, as on targets without it).
#[cfg(test)]
pub(super) fn with_level<R>(level: Option<Level>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Option<Level>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            FORCED_LEVEL.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(FORCED_LEVEL.with(|c| c.replace(Some(level))));
    f()
}

/// Every way this machine can compute a stream, by name: each SIMD level
/// the dispatch code can pick here, and the portable code.
#[cfg(test)]
pub(super) fn test_levels() -> Vec<(&'static str, Option<Level>)> {
    let level = Level::new();
    let mut out = vec![("detected", Some(level))];
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    {
        if let Some(t) = level.as_avx2() {
            out.push(("avx2", Some(Level::Avx2(t))));
        }
        if let Some(t) = level.as_sse2() {
            out.push(("sse2", Some(Level::Sse2(t))));
        }
    }
    #[cfg(target_arch = "aarch64")]
    if let Some(t) = level.as_neon() {
        out.push(("neon", Some(Level::Neon(t))));
    }
    out.push(("portable", None));
    out
}

/// XORs blocks `counter..counter + 4` into `chunk` (`HEAD_LEN` octets)
/// with the best four-lane instructions this CPU has.
fn four_blocks(input: &[u32; 16], counter: u64, chunk: &mut [u8]) {
    let level = simd_level();
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    if let Some(t) = level.and_then(Level::as_avx2) {
        return t.vectorize(
            #[inline(always)]
            || lanes_x4(t, input, counter, chunk),
        );
    }
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    if let Some(t) = level.and_then(Level::as_sse2) {
        return t.vectorize(
            #[inline(always)]
            || lanes_x4(t, input, counter, chunk),
        );
    }
    #[cfg(target_arch = "aarch64")]
    if let Some(t) = level.and_then(Level::as_neon) {
        return t.vectorize(
            #[inline(always)]
            || lanes_x4(t, input, counter, chunk),
        );
    }
    // No SIMD baseline (nothing on x86_64 or aarch64 gets here): one
    // block at a time.
    let _ = level;
    let stream = Salsa20 { input: *input };
    for (j, block) in chunk.chunks_mut(BLOCK_LEN).enumerate() {
        for (d, k) in block
            .iter_mut()
            .zip(stream.block(counter.wrapping_add(j as u64)))
        {
            *d ^= k;
        }
    }
}

/// XORs as many whole eight-block batches into `data` as fit, when the
/// CPU has AVX2; returns the octets done (0 without AVX2).
fn eight_block_batches(input: &[u32; 16], counter: u64, data: &mut [u8]) -> usize {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    if let Some(t) = simd_level().and_then(Level::as_avx2) {
        return t.vectorize(
            #[inline(always)]
            || {
                let mut c = counter;
                let mut done = 0;
                for chunk in data.chunks_exact_mut(WIDE_LEN) {
                    lanes_x8(t, input, c, chunk);
                    c = c.wrapping_add(8);
                    done += WIDE_LEN;
                }
                done
            },
        );
    }
    let _ = (input, counter, data);
    0
}

/// Salsa20 over `$lanes` consecutive blocks, block `j` in lane `j`,
/// XORed into `chunk` (`$lanes` blocks long). Generic over the SIMD
/// token so that each instruction set gets its own code.
macro_rules! lanes_kernel {
    ($name:ident, $vec:ident, $bytes:ident, $interleave:ident, $lanes:literal, $rounds:literal) => {
        #[inline(always)]
        fn $name<S: Simd>(simd: S, input: &[u32; 16], counter: u64, chunk: &mut [u8]) {
            // A shorter chunk would be left partly unencrypted (the
            // stores below skip what is not there).
            debug_assert_eq!(chunk.len(), $lanes * BLOCK_LEN);
            // (Plain loops, not array::from_fn: that would be a call out of
            // the code compiled for this instruction set.)
            let mut s = [$vec::splat(simd, 0); 16];
            for (v, &w) in s.iter_mut().zip(input) {
                *v = $vec::splat(simd, w);
            }
            let mut low = [0u32; $lanes];
            let mut high = [0u32; $lanes];
            for (j, (l, h)) in low.iter_mut().zip(high.iter_mut()).enumerate() {
                let c = counter.wrapping_add(j as u64);
                *l = c as u32;
                *h = (c >> 32) as u32;
            }
            s[COUNTER_LOW] = $vec::simd_from(simd, low);
            s[COUNTER_HIGH] = $vec::simd_from(simd, high);
            let mut x = s;
            let add = |a: $vec<S>, b: $vec<S>| a + b;
            let rotl = |v: $vec<S>, k: u32| (v << k) | (v >> (32 - k));
            double_rounds!(add, rotl, x);
            // Vector i holds word i of every block. Transpose each group of
            // $lanes words (log2 $lanes rounds of interleaving vector i with
            // vector i + $lanes/2), so that vector j holds those words of
            // block j, in memory order.
            for g in 0..16 / $lanes {
                let mut v = [s[0]; $lanes];
                for (i, vi) in v.iter_mut().enumerate() {
                    *vi = x[g * $lanes + i] + s[g * $lanes + i];
                }
                for _ in 0..$rounds {
                    let mut t = v;
                    for i in 0..$lanes / 2 {
                        let (lo, hi) = simd.$interleave(v[i], v[i + $lanes / 2]);
                        t[2 * i] = lo;
                        t[2 * i + 1] = hi;
                    }
                    v = t;
                }
                for (j, ks) in v.into_iter().enumerate() {
                    let at = j * BLOCK_LEN + g * $lanes * 4;
                    if let Some(d) = chunk.get_mut(at..at + $lanes * 4) {
                        xor_le!(simd, d, ks, $bytes, $lanes);
                    }
                }
            }
        }
    };
}

/// `d ^= ks`, keystream words little-endian.
#[cfg(target_endian = "little")]
macro_rules! xor_le {
    ($simd:expr, $d:expr, $ks:expr, $bytes:ident, $lanes:literal) => {{
        let data = $bytes::from_slice($simd, $d);
        (data ^ $ks.to_bytes()).store_slice($d);
    }};
}

#[cfg(not(target_endian = "little"))]
macro_rules! xor_le {
    ($simd:expr, $d:expr, $ks:expr, $bytes:ident, $lanes:literal) => {{
        let words: [u32; $lanes] = $ks.into();
        for (c, k) in $d.chunks_exact_mut(4).zip(words) {
            let v = u32::from_le_bytes([c[0], c[1], c[2], c[3]]) ^ k;
            c.copy_from_slice(&v.to_le_bytes());
        }
    }};
}

lanes_kernel!(lanes_x4, u32x4, u8x16, interleave_u32x4, 4, 2);
#[cfg(any(target_arch = "x86", target_arch = "x86_64", test))]
lanes_kernel!(lanes_x8, u32x8, u8x32, interleave_u32x8, 8, 3);

#[cfg(test)]
mod tests {
    use super::*;

    /// The Salsa20 specification's example of the full hash: the 64-octet
    /// input (211, 159, ...) hashes to (109, 42, ...).
    #[test]
    fn salsa20_core_spec_vector() {
        let inp: [u8; 64] = [
            211, 159, 13, 115, 76, 55, 82, 183, 3, 117, 222, 37, 191, 187, 234, 136, 49, 237, 179,
            48, 1, 106, 178, 219, 175, 199, 166, 48, 86, 16, 179, 207, 31, 240, 32, 63, 15, 83, 93,
            161, 116, 147, 48, 113, 238, 55, 204, 36, 79, 201, 235, 79, 3, 81, 156, 47, 203, 26,
            244, 243, 88, 118, 104, 54,
        ];
        let want: [u8; 64] = [
            109, 42, 178, 168, 156, 240, 248, 238, 168, 196, 190, 203, 26, 110, 170, 154, 29, 29,
            150, 26, 150, 30, 235, 249, 190, 163, 251, 48, 69, 144, 51, 57, 118, 40, 152, 157, 180,
            57, 27, 94, 107, 42, 236, 35, 27, 111, 114, 114, 219, 236, 232, 135, 111, 155, 110, 18,
            24, 232, 95, 158, 179, 19, 48, 202,
        ];
        let s: [u32; 16] = le_words(&inp);
        let mut x = s;
        scalar_rounds(&mut x);
        let mut out = [0u8; 64];
        for ((o, a), b) in out.chunks_exact_mut(4).zip(x).zip(s) {
            o.copy_from_slice(&a.wrapping_add(b).to_le_bytes());
        }
        assert_eq!(out, want);
    }

    /// Every kernel, under every instruction set this machine has (and the
    /// scalar fallback), gives the one-block stream.
    #[test]
    fn every_instruction_set_gives_the_same_stream() {
        let x = Salsa20::xsalsa20(&[3u8; 32], &[4u8; 24]);
        let want: Vec<u8> = (0..8u64).flat_map(|b| x.block(0xFFFF_FFFC + b)).collect();
        let check = |got: &[u8], what: &str| assert_eq!(got, &want[..got.len()], "{what}");
        let run4 = |f: &dyn Fn(&mut [u8])| {
            let mut buf = vec![0u8; HEAD_LEN];
            f(&mut buf);
            buf
        };
        let run8 = |f: &dyn Fn(&mut [u8])| {
            let mut buf = vec![0u8; WIDE_LEN];
            f(&mut buf);
            buf
        };
        let c = 0xFFFF_FFFC;
        check(&run4(&|b| four_blocks(&x.input, c, b)), "dispatched x4");
        let level = Level::new();
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        {
            if let Some(t) = level.as_sse2() {
                check(
                    &run4(&|b| t.vectorize(|| lanes_x4(t, &x.input, c, b))),
                    "sse2 x4",
                );
                check(
                    &run8(&|b| t.vectorize(|| lanes_x8(t, &x.input, c, b))),
                    "sse2 x8",
                );
            }
            if let Some(t) = level.as_avx2() {
                check(
                    &run4(&|b| t.vectorize(|| lanes_x4(t, &x.input, c, b))),
                    "avx2 x4",
                );
                check(
                    &run8(&|b| t.vectorize(|| lanes_x8(t, &x.input, c, b))),
                    "avx2 x8",
                );
            }
        }
        #[cfg(target_arch = "aarch64")]
        if let Some(t) = level.as_neon() {
            check(
                &run4(&|b| t.vectorize(|| lanes_x4(t, &x.input, c, b))),
                "neon x4",
            );
        }
        let _ = level;
    }

    /// The SIMD path must produce exactly the one-block path's stream, at
    /// every length and across the 32-bit counter carry.
    #[test]
    fn lanes_match_single_blocks() {
        let x = Salsa20::xsalsa20(&[7u8; 32], &[9u8; 24]);
        for start in [0u64, 1, 0xFFFF_FFFE, u64::MAX - 2] {
            for len in [0usize, 1, 63, 64, 65, 255, 256, 257, 511, 512, 513, 1500] {
                let mut fast = vec![0u8; len];
                x.xor(start, &mut fast);
                let slow: Vec<u8> = (0..len.div_ceil(BLOCK_LEN))
                    .flat_map(|b| x.block(start.wrapping_add(b as u64)))
                    .take(len)
                    .collect();
                assert_eq!(fast, slow, "start {start} len {len}");
            }
        }
        for need in [1, 64, 65, HEAD_LEN] {
            let head = x.head(need);
            let slow: Vec<u8> = (0..need.div_ceil(BLOCK_LEN))
                .flat_map(|b| x.block(b as u64))
                .take(need)
                .collect();
            assert_eq!(&head[..need], &slow[..], "head {need}");
        }
    }
}
