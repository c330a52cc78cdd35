//! Checks of the shared object's dynamic symbol table and soname against
//! Debian's libzmq 4.3.4 (`/usr/lib/x86_64-linux-gnu/libzmq.so.5`; override
//! with `ZMQ_SYSTEM_LIB=/path/to/libzmq.so.5`).
//!
//! The library checked is the cdylib cargo built for this test run's profile:
//! `cargo test` compiles the library with all its crate types into
//! `<target>/<profile>/deps/`, next to this test's executable, so nothing
//! needs to be built first and the library is never stale (`cargo test` ->
//! `target/debug/deps/libzmq.so`, `cargo test --release` ->
//! `target/release/deps/libzmq.so`, the same file `cargo build --release`
//! links to `target/release/libzmq.so`; `CARGO_TARGET_DIR` is honoured).
//! `ZMQ_LIB=/path/to/libzmq.so` checks another file instead (an installed
//! copy, say).
//!
//! * `exports_every_libzmq_symbol`: every `zmq_*` symbol libzmq exports is
//!   exported (fails, listing the missing ones, until every export is written).
//! * `exports_nothing_but_zmq_symbols`: no other symbol leaks (Rust runtime,
//!   dependencies); this is what the version script `libzmq.map` ensures.
//! * `extra_exports_are_libzmq_draft_api`: the `zmq_*` symbols libzmq does
//!   not export are functions its header declares (the draft API), not
//!   internal helpers.
//! * `soname_is_libzmq_so_5`.
//!
//! Needs binutils (`nm`, `readelf`).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

fn our_lib() -> PathBuf {
    if let Some(path) = std::env::var_os("ZMQ_LIB") {
        return PathBuf::from(path);
    }
    // The test runs from <target>/<profile>/deps/symbols-<hash>. Cargo
    // compiles the library (all its crate types) into that deps/ directory
    // for this very run; `cargo build` also links it up to <profile>/.
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    let candidates = [
        deps.join("libzmq.so"),
        deps.parent().unwrap().join("libzmq.so"),
    ];
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "libzmq.so not found in {} or its parent: `cargo test` builds it \
             (or set ZMQ_LIB to the library to check)",
                deps.display()
            )
        })
}

fn system_lib() -> PathBuf {
    let path = std::env::var_os("ZMQ_SYSTEM_LIB")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/lib/x86_64-linux-gnu/libzmq.so.5"));
    assert!(
        path.is_file(),
        "{} not found: install libzmq5 or set ZMQ_SYSTEM_LIB",
        path.display()
    );
    path
}

fn system_header() -> PathBuf {
    std::env::var_os("ZMQ_SYSTEM_HEADER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/include/zmq.h"))
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// (type letter, name) of every defined dynamic symbol.
fn exports(lib: &std::path::Path) -> BTreeSet<(String, String)> {
    run(Command::new("nm").args(["-D", "--defined-only"]).arg(lib))
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace().rev();
            let name = fields.next()?;
            let kind = fields.next()?;
            // Version definition entries (`A LIBFOO_1`) are not symbols.
            (kind != "A").then(|| {
                (
                    kind.to_string(),
                    name.split('@').next().unwrap().to_string(),
                )
            })
        })
        .collect()
}

fn names(symbols: &BTreeSet<(String, String)>) -> BTreeSet<String> {
    symbols.iter().map(|(_, n)| n.clone()).collect()
}

fn columns(names: &[&String]) -> String {
    names
        .chunks(4)
        .map(|c| {
            c.iter()
                .map(|n| format!("{n:<32}"))
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n  ")
}

#[test]
fn exports_every_libzmq_symbol() {
    let ours = names(&exports(&our_lib()));
    let theirs: BTreeSet<String> = names(&exports(&system_lib()))
        .into_iter()
        .filter(|n| n.starts_with("zmq_"))
        .collect();
    assert!(
        theirs.len() >= 70,
        "libzmq exports only {} zmq_* symbols?",
        theirs.len()
    );
    let missing: Vec<&String> = theirs.difference(&ours).collect();
    assert!(
        missing.is_empty(),
        "{} exports {} of libzmq's {} zmq_* symbols; missing {}:\n  {}",
        our_lib().display(),
        theirs.len() - missing.len(),
        theirs.len(),
        missing.len(),
        columns(&missing)
    );
}

#[test]
fn exports_nothing_but_zmq_symbols() {
    let ours = exports(&our_lib());
    let leaked: Vec<String> = ours
        .iter()
        .filter(|(_, n)| !n.starts_with("zmq_"))
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    assert!(
        leaked.is_empty(),
        "{} exports {} symbols that are not zmq_* (is libzmq.map passed to the linker?):\n  {}",
        our_lib().display(),
        leaked.len(),
        leaked.join("\n  ")
    );
    let not_code: Vec<String> = ours
        .iter()
        .filter(|(k, _)| k != "T")
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    assert!(
        not_code.is_empty(),
        "exported symbols that are not functions:\n  {}",
        not_code.join("\n  ")
    );
}

#[test]
fn extra_exports_are_libzmq_draft_api() {
    let ours = names(&exports(&our_lib()));
    let theirs = names(&exports(&system_lib()));
    let header = std::fs::read_to_string(system_header())
        .unwrap_or_else(|e| panic!("{}: {e}", system_header().display()));
    // Function names libzmq's header declares (stable and draft):
    // identifiers `zmq_...` followed by `(`.
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut declared = BTreeSet::new();
    for (at, _) in header.match_indices("zmq_") {
        if header[..at].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let name: String = header[at..].chars().take_while(|c| is_ident(*c)).collect();
        if header[at + name.len()..].trim_start().starts_with('(') {
            declared.insert(name);
        }
    }
    let unknown: Vec<&String> = ours
        .iter()
        .filter(|n| n.starts_with("zmq_") && !theirs.contains(*n) && !declared.contains(*n))
        .collect();
    assert!(
        unknown.is_empty(),
        "exported zmq_* symbols that libzmq neither exports nor declares (internal helpers \
         must not be #[no_mangle]):\n  {}",
        columns(&unknown)
    );
}

#[test]
fn soname_is_libzmq_so_5() {
    let dynamic = run(Command::new("readelf").arg("-d").arg(our_lib()));
    let soname = dynamic
        .lines()
        .find(|l| l.contains("(SONAME)"))
        .and_then(|l| l.split('[').nth(1))
        .map(|s| s.trim_end_matches(']').to_string());
    assert_eq!(
        soname.as_deref(),
        Some("libzmq.so.5"),
        "readelf -d {}:\n{dynamic}",
        our_lib().display()
    );
}
