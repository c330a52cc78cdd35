//! Seeds recorded from Debian's libzmq: `libzmq_peer.py` (pyzmq) runs a
//! ROUTER or DEALER over loopback tcp against our session, driven by the
//! fuzz targets' own driver with their fixed keys and randomness, and
//! what libzmq sent becomes `corpus/session_*/libzmq-*`. Replayed, those
//! streams complete the same handshakes (checked here and in replay.rs).
//!
//! Needs python3-zmq; run by hand:
//! `cargo test --release --no-default-features --test capture -- --ignored`

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use zmq_fuzz::session::{curve_keys, run, Driver, Knobs, Mech, Side};

fn z85(k: &[u8; 32]) -> String {
    String::from_utf8(zmq::util::curve::key_to_z85(k).to_vec()).expect("Z85 is ASCII")
}

/// Runs our `side` on `stream` until libzmq closes; returns the seed.
fn drive(mut stream: TcpStream, mech: Mech, side: Side, k: &Knobs) -> Vec<u8> {
    stream.set_read_timeout(Some(Duration::from_millis(50))).expect("timeout");
    let mut d = Driver::new(mech, side, k, Instant::now());
    let mut seed = k.encode().to_vec();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut buf = vec![0u8; 1 << 16];
    while !d.failed() && Instant::now() < deadline {
        let out = d.take_output();
        if !out.is_empty() && stream.write_all(&out).is_err() {
            break;
        }
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                seed.extend_from_slice(&buf[..n]);
                for piece in buf[..n].chunks(k.piece) {
                    d.input(piece);
                    d.tick(k.step_ms);
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    seed
}

fn capture(mech: Mech, side: Side) -> Vec<u8> {
    let name = format!("{mech:?}").to_lowercase();
    let (sp, ss) = curve_keys(1);
    let (cp, cs) = curve_keys(2);
    let keys = [z85(&sp), z85(&ss), z85(&cp), z85(&cs)];
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("libzmq_peer.py");
    let k = Knobs { pair: 0, zap: 1, ..Knobs::parse(0, 0) };
    // Debian's python, which has python3-zmq (a python3 earlier in PATH
    // may not).
    let mut cmd = Command::new("/usr/bin/python3");
    cmd.arg(&script).arg(&name).stdout(Stdio::piped());
    let (stream, mut child) = match side {
        Side::Server => {
            let l = TcpListener::bind("127.0.0.1:0").expect("listen");
            let ep = format!("tcp://{}", l.local_addr().expect("address"));
            let mut child = cmd.arg("client").arg(ep).args(&keys).spawn().expect("python3 libzmq_peer.py");
            l.set_nonblocking(true).expect("nonblocking");
            let deadline = Instant::now() + Duration::from_secs(10);
            let stream = loop {
                match l.accept() {
                    Ok((s, _)) => break s,
                    Err(_) if Instant::now() < deadline && child.try_wait().ok().flatten().is_none() => {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    Err(e) => panic!("libzmq did not connect: {e}"),
                }
            };
            stream.set_nonblocking(false).expect("blocking");
            (stream, child)
        }
        Side::Client => {
            let mut child = cmd.arg("server").arg("tcp://127.0.0.1:*").args(&keys).spawn().expect("python3");
            let mut line = String::new();
            BufReader::new(child.stdout.as_mut().expect("stdout")).read_line(&mut line).expect("endpoint");
            let addr = line.trim().strip_prefix("tcp://").expect("a tcp endpoint").to_owned();
            (TcpStream::connect(addr).expect("connect to libzmq"), child)
        }
    };
    let seed = drive(stream, mech, side, &k);
    assert!(child.wait().expect("peer exits").success());
    seed
}

#[test]
#[ignore = "needs python3-zmq; writes corpus/session_*/libzmq-*"]
fn capture_from_libzmq() {
    for mech in [Mech::Null, Mech::Plain, Mech::Curve] {
        for side in [Side::Server, Side::Client] {
            let seed = capture(mech, side);
            let o = run(mech, side, &seed);
            assert_eq!(o.handshakes, 1, "{mech:?} {side:?}: {o:?}");
            assert!(o.messages >= 2, "{mech:?} {side:?}: {o:?}");
            let target = format!("session_{}_{}", format!("{mech:?}").to_lowercase(), format!("{side:?}").to_lowercase());
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target).join("libzmq-dealer-router");
            std::fs::write(&path, &seed).expect("seed written");
            println!("{}: {} octets, {o:?}", path.display(), seed.len());
        }
    }
}
