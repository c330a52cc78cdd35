//! The crate's module layering, enforced. docs/ARCHITECTURE.md explains the
//! layers; the tables in this file are the authority.
//!
//! A source scan, no build needed:
//! * `allowed_table_is_acyclic`: `ALLOWED` (which top-level module may
//!   import which) has no cycle, and names exactly the modules lib.rs
//!   declares.
//! * `imports_follow_the_layering`: every arrow from one top-level module to
//!   another found in non-test code is in `ALLOWED` or listed, file by file,
//!   in `EXCEPTIONS`; and every listed exception still occurs, so the list
//!   can only shrink.
//! * `io_names_no_transport`: no non-test file under src/io/ names a
//!   transport's module (a directory under src/transport/): io reaches
//!   transports only through the `transport::Transport` interface.
//! * `scan::tests::*`: the scanner (layering/scan.rs) sees what it should
//!   and nothing else; `check` and `find_cycle` report what they should.
//!
//! Non-test code is what `mod` declarations reach from src/lib.rs, minus
//! items under `#[cfg(test)]` (a `mod x;` declaration, an inline
//! `mod tests { .. }`, any other item). An arrow is a path that names a
//! top-level module: `crate::X..` (also in `use crate::{X, Y}` groups and
//! `$crate::`), or `super::..` climbing to the crate root. Comments, string
//! literals and `pub(in crate::..)` do not count.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[path = "layering/scan.rs"]
mod scan;
use scan::{scan_file, ModDecl};

/// Which top-level modules each top-level module may import (besides
/// itself). Bottom to top, as in docs/ARCHITECTURE.md.
#[rustfmt::skip]
const ALLOWED: &[(&str, &[&str])] = &[
    // 0. base
    ("consts", &[]),
    ("types", &["consts"]),
    ("error", &["consts", "types"]),
    ("util", &["consts", "types", "error"]),
    ("msg", &["consts", "types", "error", "util"]),
    // 1. the pure parts: each over base only
    ("proto", &["consts", "types", "error", "util", "msg"]),
    ("routing", &["consts", "types", "error", "util", "msg"]),
    ("mailbox", &["consts", "types", "error", "util", "msg"]),
    ("transport", &["consts", "types", "error", "util", "msg"]),
    // 2. pipes implement routing's pipe trait and post to mailboxes
    ("pipe", &["consts", "types", "error", "util", "msg", "routing", "mailbox"]),
    // 3. io threads: run proto over transport's sockets, feed pipes
    ("io", &["consts", "types", "error", "util", "msg", "proto", "mailbox", "transport", "pipe"]),
    // 4. contexts: io threads, socket and inproc registries
    ("ctx", &["consts", "types", "error", "util", "msg", "proto", "routing", "mailbox", "transport", "pipe", "io"]),
    // 5. sockets
    ("socket", &["consts", "types", "error", "util", "msg", "proto", "routing", "mailbox", "transport", "pipe", "io", "ctx"]),
    // 6. polling and the proxy
    ("poll", &["consts", "types", "error", "util", "msg", "proto", "routing", "mailbox", "transport", "pipe", "io", "ctx", "socket"]),
    // 7. the C ABI
    ("ffi", &["consts", "types", "error", "util", "msg", "proto", "routing", "mailbox", "transport", "pipe", "io", "ctx", "socket", "poll"]),
];

/// An import the layering forbids that the code still had. The list only
/// shrinks (a removed import must leave it too), and is now empty: every
/// import follows `ALLOWED`.
#[derive(Clone, Copy)]
struct Exception {
    from: &'static str,
    to: &'static str,
    why: &'static str,
    /// Paths under src/, every file that has the arrow.
    files: &'static [&'static str],
}

const EXCEPTIONS: &[Exception] = &[];

#[test]
fn allowed_table_is_acyclic() {
    let table = allowed();
    let mut problems = String::new();
    for (m, deps) in &table {
        for d in deps {
            if !table.contains_key(d) {
                let _ = writeln!(
                    problems,
                    "ALLOWED: {m} may import `{d}`, which is not in the table"
                );
            }
        }
    }
    if let Some(cycle) = find_cycle(&table) {
        let _ = writeln!(problems, "ALLOWED has a cycle: {}", cycle.join(" -> "));
    }
    let declared: BTreeSet<String> = scan_crate().top_level;
    let listed: BTreeSet<String> = table.keys().map(|m| m.to_string()).collect();
    for m in declared.difference(&listed) {
        let _ = writeln!(
            problems,
            "lib.rs declares `mod {m}`, which ALLOWED does not place"
        );
    }
    for m in listed.difference(&declared) {
        let _ = writeln!(
            problems,
            "ALLOWED places `{m}`, which lib.rs does not declare"
        );
    }
    assert!(problems.is_empty(), "\n{problems}");
}

#[test]
fn imports_follow_the_layering() {
    let krate = scan_crate();
    let report = check(&krate, &allowed(), EXCEPTIONS);
    assert!(
        report.is_empty(),
        "\nlayering check failed (see docs/ARCHITECTURE.md):\n{report}"
    );
    // The measured graph, for `cargo test --test layering -- --nocapture`.
    for ((from, to), files) in &krate.arrows {
        let sites: usize = files.values().map(Vec::len).sum();
        println!(
            "{from:>9} -> {to:<9} {sites:>3} paths in {:>2} files",
            files.len()
        );
    }
}

/// The transports: each directory under src/transport/ is one.
fn transport_modules() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(src_dir().join("transport"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The transport modules that one line of code names: `transport::tcp..`,
/// or a member of a `transport::{..}` group.
fn transports_named(line: &str, transports: &[String]) -> Vec<String> {
    let code = line.split("//").next().unwrap_or("");
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("transport::") {
        rest = &rest[at + "transport::".len()..];
        let members: Vec<&str> = match rest.strip_prefix('{') {
            Some(group) => group.split('}').next().unwrap_or("").split(',').collect(),
            None => vec![rest],
        };
        for m in members {
            let name: String = m
                .trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if transports.contains(&name) {
                found.push(name);
            }
        }
    }
    found
}

#[test]
fn io_names_no_transport() {
    let transports = transport_modules();
    assert!(transports.contains(&"tcp".to_string()) && transports.contains(&"ipc".to_string()));
    let mut files = Vec::new();
    rs_files(&src_dir().join("io"), &mut files);
    let mut problems = String::new();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy();
        if name == "tests.rs" || name.ends_with("_tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            // The file's test module, if any, ends its non-test code.
            if line.trim() == "#[cfg(test)]"
                && lines
                    .get(i + 1)
                    .is_some_and(|l| l.trim_start().starts_with("mod tests"))
            {
                break;
            }
            for t in transports_named(line, &transports) {
                let _ = writeln!(
                    problems,
                    "{}:{}: names transport `{t}`: {}",
                    f.display(),
                    i + 1,
                    line.trim()
                );
            }
        }
    }
    assert!(
        problems.is_empty(),
        "\nio must reach transports only through transport::Transport:\n{problems}"
    );
}

#[test]
fn transport_names_are_found_in_paths_and_groups() {
    let t = vec!["tcp".to_string(), "ipc".to_string()];
    assert_eq!(
        transports_named("use crate::transport::tcp::TcpConfig;", &t),
        ["tcp"]
    );
    assert_eq!(
        transports_named("use crate::transport::{self, ipc, peer};", &t),
        ["ipc"]
    );
    assert_eq!(
        transports_named(
            "x(crate::transport::tcp::socket::f(), transport::ipc::g())",
            &t
        ),
        ["tcp", "ipc"]
    );
    assert!(transports_named("use crate::transport::{self, peer, Transport};", &t).is_empty());
    assert!(transports_named("let x = 1; // transport::tcp in a comment", &t).is_empty());
    assert!(transports_named("use crate::transport::tcpish;", &t).is_empty());
}

fn allowed() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    ALLOWED
        .iter()
        .map(|(m, deps)| (*m, deps.iter().copied().collect()))
        .collect()
}

/// A cycle in `graph`, if it has one (depth first).
fn find_cycle(graph: &BTreeMap<&'static str, BTreeSet<&'static str>>) -> Option<Vec<&'static str>> {
    fn visit(
        node: &'static str,
        graph: &BTreeMap<&'static str, BTreeSet<&'static str>>,
        done: &mut BTreeSet<&'static str>,
        path: &mut Vec<&'static str>,
    ) -> Option<Vec<&'static str>> {
        if let Some(at) = path.iter().position(|n| *n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node);
            return Some(cycle);
        }
        if !done.insert(node) {
            return None;
        }
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, done, path) {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut done, &mut Vec::new()))
}

/// Where one arrow occurs: line and the path as written.
type Sites = Vec<(usize, String)>;

/// The non-test code of the crate, as arrows between top-level modules.
struct Crate {
    top_level: BTreeSet<String>,
    /// (from, to) -> file under src/ -> sites.
    arrows: BTreeMap<(String, String), BTreeMap<String, Sites>>,
}

/// Compares the arrows with the table and the exceptions; empty if fine.
fn check(
    krate: &Crate,
    table: &BTreeMap<&str, BTreeSet<&str>>,
    exceptions: &[Exception],
) -> String {
    let mut out = String::new();
    let mut seen = BTreeSet::new();
    for e in exceptions {
        if !seen.insert((e.from, e.to)) {
            let _ = writeln!(out, "EXCEPTIONS lists {} -> {} twice", e.from, e.to);
        }
        if table.get(e.from).is_some_and(|d| d.contains(e.to)) {
            let _ = writeln!(
                out,
                "EXCEPTIONS lists {} -> {}, which ALLOWED permits: remove it",
                e.from, e.to
            );
        }
        let found = krate.arrows.get(&(e.from.to_string(), e.to.to_string()));
        for f in e.files {
            if !found.is_some_and(|files| files.contains_key(*f)) {
                let _ = writeln!(
                    out,
                    "EXCEPTIONS lists {} -> {} in src/{f}, which no longer has it: remove it from the list",
                    e.from, e.to
                );
            }
        }
    }
    for ((from, to), files) in &krate.arrows {
        let Some(may) = table.get(from.as_str()) else {
            let _ = writeln!(out, "module `{from}` is not in ALLOWED");
            continue;
        };
        if may.contains(to.as_str()) {
            continue;
        }
        let excused = exceptions.iter().find(|e| e.from == from && e.to == to);
        for (file, sites) in files {
            if excused.is_some_and(|e| e.files.contains(&file.as_str())) {
                continue;
            }
            let _ = writeln!(
                out,
                "{from} -> {to} is not allowed ({from} may import: {}):",
                list(may)
            );
            if let Some(e) = excused {
                let _ = writeln!(
                    out,
                    "    (EXCEPTIONS excuses it only in {}: {})",
                    e.files.join(", "),
                    e.why
                );
            }
            for (line, path) in sites {
                let _ = writeln!(out, "    src/{file}:{line}: {path}");
            }
        }
    }
    out
}

fn list(set: &BTreeSet<&str>) -> String {
    if set.is_empty() {
        "nothing".to_string()
    } else {
        set.iter().copied().collect::<Vec<_>>().join(", ")
    }
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Walks the module tree from src/lib.rs and collects the arrows of its
/// non-test code. Test-only modules are walked too (their arrows are not
/// collected) so that every file under src/ is accounted for: a file the
/// walk does not reach fails the check, rather than escaping it by a
/// declaration this scanner does not understand.
fn scan_crate() -> Crate {
    let src = src_dir();
    let mut krate = Crate {
        top_level: BTreeSet::new(),
        arrows: BTreeMap::new(),
    };
    let mut reached = BTreeSet::new();
    // (file, module path from the crate root, test-only)
    let mut todo = vec![(src.join("lib.rs"), Vec::<String>::new(), false)];
    while let Some((file, module, test)) = todo.pop() {
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let scan = scan_file(&text, module.len());
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let test = test || scan.test_only;
        assert!(
            reached.insert(file.clone()),
            "src/{rel} is declared as a module twice"
        );
        let decls = scan
            .mods
            .iter()
            .map(|d| (d, test))
            .chain(scan.test_mods.iter().map(|d| (d, true)));
        for (decl, test) in decls {
            let child = resolve_mod(&file, module.is_empty(), decl)
                .unwrap_or_else(|e| panic!("src/{rel}:{}: `mod {}`: {e}", decl.line, decl.name));
            let mut path = module.clone();
            path.push(decl.name.clone());
            if module.is_empty() && !test {
                krate.top_level.insert(decl.name.clone());
            }
            todo.push((child, path, test));
        }
        // lib.rs itself only declares the modules (and the allocator).
        let Some(from) = module.first().filter(|_| !test) else {
            continue;
        };
        for dep in scan.deps {
            if dep.target != *from {
                let key = (from.clone(), dep.target);
                let sites = krate
                    .arrows
                    .entry(key)
                    .or_default()
                    .entry(rel.clone())
                    .or_default();
                sites.push((dep.line, dep.path));
            }
        }
    }
    let mut all = Vec::new();
    rs_files(&src, &mut all);
    let stray: Vec<String> = all
        .iter()
        .filter(|f| !reached.contains(*f))
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        stray.is_empty(),
        "not reached from src/lib.rs by `mod` declarations: {stray:?}"
    );
    for (from, to) in krate.arrows.keys() {
        assert!(
            krate.top_level.contains(to),
            "{from} names `crate::{to}`, which is not a top-level module"
        );
    }
    krate
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The file a `mod name;` in `file` refers to (the rules of the Rust
/// reference for declarations outside inline modules).
fn resolve_mod(file: &Path, at_root: bool, decl: &ModDecl) -> Result<PathBuf, String> {
    let dir = file.parent().unwrap();
    if let Some(p) = &decl.path_attr {
        let f = dir.join(p);
        return if f.is_file() {
            Ok(f)
        } else {
            Err(format!("#[path] {} not found", f.display()))
        };
    }
    let mod_rs = at_root || file.file_name().is_some_and(|n| n == "mod.rs");
    let base = if mod_rs {
        dir.to_path_buf()
    } else {
        dir.join(file.file_stem().unwrap())
    };
    let flat = base.join(format!("{}.rs", decl.name));
    let nested = base.join(&decl.name).join("mod.rs");
    match (flat.is_file(), nested.is_file()) {
        (true, false) => Ok(flat),
        (false, true) => Ok(nested),
        (true, true) => Err("both name.rs and name/mod.rs exist".into()),
        (false, false) => Err(format!(
            "neither {} nor {} exists",
            flat.display(),
            nested.display()
        )),
    }
}

#[test]
fn find_cycle_finds_one() {
    let graph = BTreeMap::from([
        ("a", BTreeSet::from(["b"])),
        ("b", BTreeSet::from(["c"])),
        ("c", BTreeSet::from(["a"])),
    ]);
    assert_eq!(find_cycle(&graph), Some(vec!["a", "b", "c", "a"]));
    let dag = BTreeMap::from([
        ("a", BTreeSet::from(["b", "c"])),
        ("b", BTreeSet::from(["c"])),
        ("c", BTreeSet::new()),
    ]);
    assert_eq!(find_cycle(&dag), None);
}

#[test]
fn check_reports_new_and_stale_arrows() {
    let mut arrows = BTreeMap::new();
    arrows.insert(
        ("proto".to_string(), "socket".to_string()),
        BTreeMap::from([(
            "proto/a.rs".to_string(),
            vec![(3, "crate::socket::X".to_string())],
        )]),
    );
    let krate = Crate {
        top_level: BTreeSet::new(),
        arrows,
    };
    let table = allowed();
    let report = check(&krate, &table, &[]);
    assert!(
        report.contains("proto -> socket is not allowed")
            && report.contains("src/proto/a.rs:3: crate::socket::X"),
        "{report}"
    );
    let stale = [Exception {
        from: "io",
        to: "ctx",
        why: "",
        files: &["io/x.rs"],
    }];
    let listed = [Exception {
        from: "proto",
        to: "socket",
        why: "",
        files: &["proto/a.rs"],
    }];
    assert!(check(&krate, &table, &listed).is_empty());
    let report = check(&krate, &table, &[listed[0], stale[0]]);
    assert!(
        report.contains("io -> ctx in src/io/x.rs, which no longer has it"),
        "{report}"
    );
}
