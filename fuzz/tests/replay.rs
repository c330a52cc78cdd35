//! The corpus as regression tests, on the stable toolchain: every file of
//! `corpus/<target>/` (seeds, what libFuzzer found, and every input that
//! once crashed a target) run through its target.

use std::path::{Path, PathBuf};
use std::time::Instant;
use zmq::types::SocketType;
use zmq_fuzz::session::{run, run_ws, Knobs, Mech, Side, PAIRS};
use zmq_fuzz::TARGETS;

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target)
}

#[test]
fn every_corpus_entry_replays() {
    let start = Instant::now();
    let mut total = 0;
    for (target, body) in TARGETS {
        let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir(target))
            .unwrap_or_else(|e| panic!("corpus/{target}: {e}"))
            .map(|e| e.expect("directory entry").path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "corpus/{target} is empty");
        for f in &files {
            let data = std::fs::read(f).expect("corpus file");
            // A panic names the file: the harness prints it with the message.
            eprintln!("replaying {}", f.display());
            body(&data);
        }
        println!("{target}: {} inputs", files.len());
        total += files.len();
    }
    println!("{total} inputs replayed in {:?}", start.elapsed());
}

#[test]
fn seeds_are_checked_in_as_generated() {
    for (target, name, data) in zmq_fuzz::seeds::all() {
        let path = corpus_dir(target).join(&name);
        let stored = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run write_seeds)", path.display()));
        assert!(stored == data, "{} is stale: run write_seeds", path.display());
    }
}

/// The recorded handshakes are real: replayed, each completes (where the
/// pair can talk and ZAP allows it), so the fuzzer starts past them.
#[test]
fn recorded_sessions_reach_their_handshake() {
    for mech in [Mech::Null, Mech::Plain, Mech::Curve] {
        for side in [Side::Server, Side::Client] {
            for pair in 0..PAIRS.len() {
                let k = Knobs { pair, zap: 1, ..Knobs::parse(0, 0) };
                let seed = zmq_fuzz::seeds::capture(mech, side, &k, false);
                let o = run(mech, side, &seed);
                let compatible = PAIRS[pair] != (SocketType::Push, SocketType::Pub);
                assert_eq!(o.handshakes, usize::from(compatible), "{mech:?} {side:?} pair {pair}: {o:?}");
                if compatible {
                    assert!(o.messages >= 3, "{mech:?} {side:?} pair {pair}: {o:?}");
                }
            }
        }
    }
}

/// The same over ws: each recorded exchange upgrades, completes its
/// handshake and carries messages.
#[test]
fn recorded_ws_sessions_reach_their_handshake() {
    for mech in [Mech::Null, Mech::Plain, Mech::Curve] {
        for side in [Side::Server, Side::Client] {
            for pair in 0..PAIRS.len() {
                let k = Knobs { pair, zap: 1, ..Knobs::parse(0, 0) };
                let seed = zmq_fuzz::seeds::capture_ws(mech, side, &k);
                let o = run_ws(side, &seed);
                let compatible = PAIRS[pair] != (SocketType::Push, SocketType::Pub);
                assert_eq!(o.upgrades, 1, "{mech:?} {side:?} pair {pair}: {o:?}");
                assert_eq!(o.handshakes, usize::from(compatible), "{mech:?} {side:?} pair {pair}: {o:?}");
                if compatible {
                    assert!(o.messages >= 3, "{mech:?} {side:?} pair {pair}: {o:?}");
                }
            }
        }
    }
}

#[test]
#[ignore = "writes corpus/: run by hand after changing src/seeds.rs"]
fn write_seeds() {
    for (target, name, data) in zmq_fuzz::seeds::all() {
        let dir = corpus_dir(target);
        std::fs::create_dir_all(&dir).expect("corpus directory");
        std::fs::write(dir.join(name), data).expect("seed written");
    }
}

/// Where Debian's libzmq is installed (CI installs it), the Z85 target
/// compares against it rather than silently skipping.
#[test]
fn libzmq_reference_loads_where_installed() {
    let installed = ["/usr/lib/x86_64-linux-gnu/libzmq.so.5", "/usr/lib/aarch64-linux-gnu/libzmq.so.5"]
        .iter()
        .any(|p| Path::new(p).exists());
    assert_eq!(zmq_fuzz::z85::reference().is_some(), installed);
}

/// The streams recorded from Debian's libzmq (tests/capture.rs) are
/// handshakes with libzmq itself, and replay to the end of them.
#[test]
fn libzmq_captures_reach_their_handshake() {
    for mech in [Mech::Null, Mech::Plain, Mech::Curve] {
        for side in [Side::Server, Side::Client] {
            let target = format!("session_{}_{}", format!("{mech:?}").to_lowercase(), format!("{side:?}").to_lowercase());
            let path = corpus_dir(&target).join("libzmq-dealer-router");
            let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let o = run(mech, side, &data);
            assert_eq!(o.handshakes, 1, "{}: {o:?}", path.display());
            assert!(o.messages >= 2, "{}: {o:?}", path.display());
        }
    }
}
