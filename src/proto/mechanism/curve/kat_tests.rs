//! Known answers from libsodium, through Debian's python3-nacl (run as
//! /usr/bin/python3; `.ci/deps` installs it). Missing it fails the tests:
//! without libsodium to compare with, nothing here would be checked.
//!
//! Boxes are deterministic for given keys and nonce, so ours must equal
//! libsodium's octet for octet; each side also opens the other's, and
//! libsodium must refuse a box of ours with one bit flipped.

use super::crypto::{BoxKey, NONCE_LEN};
use std::io::Write;
use std::process::{Command, Stdio};

/// Reads requests, one per line, answers one line each. Hex everywhere;
/// "-" stands for an empty value.
const ORACLE: &str = r#"
import sys
import nacl.bindings as b
def h(s): return b'' if s == '-' else bytes.fromhex(s)
def out(x): print(x.hex() if x else '-')
for line in sys.stdin:
    op, *a = line.split()
    a = [h(x) for x in a]
    try:
        if op == 'base': out(b.crypto_scalarmult_base(a[0]))
        elif op == 'beforenm': out(b.crypto_box_beforenm(a[0], a[1]))
        elif op == 'box': out(b.crypto_box(a[3], a[2], a[0], a[1]))
        elif op == 'open': out(b.crypto_box_open(a[3], a[2], a[0], a[1]))
        elif op == 'afternm': out(b.crypto_box_afternm(a[2], a[1], a[0]))
        elif op == 'open_afternm': out(b.crypto_box_open_afternm(a[2], a[1], a[0]))
        elif op == 'secretbox': out(b.crypto_secretbox(a[2], a[1], a[0]))
        elif op == 'secretbox_open': out(b.crypto_secretbox_open(a[2], a[1], a[0]))
        else: print('BADOP')
    except Exception:
        print('FAIL')
"#;

fn hex(b: &[u8]) -> String {
    if b.is_empty() {
        return "-".into();
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    if s == "-" {
        return Vec::new();
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex from the oracle"))
        .collect()
}

/// Runs every request through libsodium; the answers, in order.
fn libsodium(requests: &[String]) -> Vec<String> {
    let mut child = Command::new("/usr/bin/python3")
        .args(["-c", ORACLE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("/usr/bin/python3 is needed for the libsodium known-answer tests");
    let mut input = requests.join("\n");
    input.push('\n');
    let mut stdin = child.stdin.take().expect("stdin");
    // Written from another thread: the answers may fill the pipe first.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("python3 ran");
    // The exit status first: without nacl python stops before reading.
    assert!(
        out.status.success(),
        "python3 with nacl failed (install python3-nacl, as .ci/deps does): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    writer.join().expect("writer").expect("requests written");
    let answers: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(answers.len(), requests.len(), "one answer per request");
    answers
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_be_bytes()[0] ^ seed)
        .collect()
}

fn nonce_for(i: usize) -> [u8; NONCE_LEN] {
    let mut n = [0u8; NONCE_LEN];
    n.copy_from_slice(&pattern(NONCE_LEN, i as u8 ^ 0xA5));
    n
}

/// Lengths around every boundary the code has: the 32 octets in keystream
/// block 0, block and SIMD-batch edges, the Poly1305 switch at 4 KiB, and
/// 64 KiB frames.
const LENGTHS: &[usize] = &[
    0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 95, 96, 97, 127, 128, 129, 255, 256, 257, 287, 288,
    289, 511, 512, 513, 543, 544, 545, 1000, 4095, 4096, 8191, 8192, 8193, 65536, 100_003,
];

#[test]
fn crypto_box_matches_libsodium_both_ways() {
    let sk_a = [0x11u8; 32];
    let mut sk_b = [0u8; 32];
    sk_b.copy_from_slice(&pattern(32, 7));
    let pk_a = crate::util::curve::public_from_secret(&sk_a);
    let pk_b = crate::util::curve::public_from_secret(&sk_b);
    let ab = BoxKey::shared(&pk_b, &sk_a).expect("contributory");
    let ba = BoxKey::shared(&pk_a, &sk_b).expect("contributory");

    let mut req = vec![
        format!("base {}", hex(&sk_a)),
        format!("base {}", hex(&sk_b)),
    ];
    req.push(format!("beforenm {} {}", hex(&pk_b), hex(&sk_a)));
    let mut ours = Vec::new();
    for (i, &len) in LENGTHS.iter().enumerate() {
        let (n, msg) = (nonce_for(i), pattern(len, i as u8));
        let sealed = ab.seal(&n, &msg);
        let mut flipped = sealed.clone();
        flipped[(i * 7) % sealed.len()] ^= 0x40;
        req.push(format!(
            "box {} {} {} {}",
            hex(&pk_b),
            hex(&sk_a),
            hex(&n),
            hex(&msg)
        ));
        req.push(format!(
            "open {} {} {} {}",
            hex(&pk_a),
            hex(&sk_b),
            hex(&n),
            hex(&sealed)
        ));
        req.push(format!(
            "open {} {} {} {}",
            hex(&pk_a),
            hex(&sk_b),
            hex(&n),
            hex(&flipped)
        ));
        ours.push((n, msg, sealed));
    }
    let ans = libsodium(&req);
    assert_eq!(
        unhex(&ans[0]),
        pk_a,
        "public keys as crypto_scalarmult_base makes them"
    );
    assert_eq!(unhex(&ans[1]), pk_b);
    let beforenm = unhex(&ans[2]);
    let k = BoxKey::secret(&beforenm.clone().try_into().expect("32 octets"));
    for (i, (n, msg, sealed)) in ours.iter().enumerate() {
        let [theirs, opened, tampered] = [&ans[3 + 3 * i], &ans[4 + 3 * i], &ans[5 + 3 * i]];
        let theirs = unhex(theirs);
        let len = msg.len();
        assert_eq!(&theirs, sealed, "crypto_box, length {len}");
        assert_eq!(&unhex(opened), msg, "libsodium opens ours, length {len}");
        assert_eq!(
            tampered, "FAIL",
            "libsodium refuses a flipped bit, length {len}"
        );
        assert_eq!(
            ba.open(n, &theirs).as_ref(),
            Some(msg),
            "we open libsodium's, length {len}"
        );
        assert_eq!(
            k.open(n, &theirs).as_ref(),
            Some(msg),
            "libsodium's beforenm key is ours, length {len}"
        );
    }
}

#[test]
fn afternm_and_secretbox_match_libsodium() {
    let key: [u8; 32] = pattern(32, 0x3C).try_into().expect("32");
    let k = BoxKey::secret(&key);
    let mut req = Vec::new();
    let mut ours = Vec::new();
    for (i, &len) in LENGTHS.iter().enumerate() {
        let (n, msg) = (nonce_for(i + 100), pattern(len, 0x5A ^ i as u8));
        let sealed = k.seal(&n, &msg);
        // crypto_box_afternm with key K is crypto_secretbox with key K.
        req.push(format!("secretbox {} {} {}", hex(&key), hex(&n), hex(&msg)));
        req.push(format!("afternm {} {} {}", hex(&key), hex(&n), hex(&msg)));
        req.push(format!(
            "secretbox_open {} {} {}",
            hex(&key),
            hex(&n),
            hex(&sealed)
        ));
        req.push(format!(
            "open_afternm {} {} {}",
            hex(&key),
            hex(&n),
            hex(&sealed)
        ));
        ours.push((n, msg, sealed));
    }
    let ans = libsodium(&req);
    for (i, (n, msg, sealed)) in ours.iter().enumerate() {
        let len = msg.len();
        let a = &ans[4 * i..4 * i + 4];
        assert_eq!(&unhex(&a[0]), sealed, "crypto_secretbox, length {len}");
        assert_eq!(&unhex(&a[1]), sealed, "crypto_box_afternm, length {len}");
        assert_eq!(&unhex(&a[2]), msg, "secretbox_open of ours, length {len}");
        assert_eq!(&unhex(&a[3]), msg, "open_afternm of ours, length {len}");
        assert_eq!(k.open(n, &unhex(&a[0])).as_ref(), Some(msg));
    }
}

/// libsodium refuses keys that give an all-zero shared point; so do we.
#[test]
fn small_order_key_refused_like_libsodium() {
    let ans = libsodium(&[format!(
        "beforenm {} {}",
        hex(&[0u8; 32]),
        hex(&[0x11u8; 32])
    )]);
    assert_eq!(ans[0], "FAIL");
    assert!(BoxKey::shared(&[0u8; 32], &[0x11u8; 32]).is_none());
}
