//! Checks of the C header `include/zmq.h` against libzmq 4.3.4's own header
//! (Debian's libzmq3-dev, `/usr/include/zmq.h`; override with
//! `ZMQ_SYSTEM_HEADER=/path/to/zmq.h`).
//!
//! * `checked_in_header_is_current`: include/zmq.h is byte-identical to the
//!   header build.rs just generated (else: run `make header`).
//! * `macros_match_libzmq` / `macros_match_libzmq_draft`: every macro either
//!   header defines (compared with an empty translation unit, so this also
//!   covers what the system headers it includes bring in) exists in the other;
//!   every `ZMQ_*` macro and errno value has the same value: integers are
//!   evaluated by a C program compiled against each header, strings compared
//!   as strings, empty and function-like macros by presence (and parameters).
//!   Run without and with `-DZMQ_BUILD_DRAFT_API`.
//! * `prototypes_match_libzmq` / `prototypes_match_libzmq_draft`: the
//!   declared `zmq_*` functions and their C types (`gcc -aux-info`) are the
//!   same as libzmq's, without and with the draft API. Fails until every
//!   export is written.
//! * `c_and_cxx_programs_compile`: a C11 and a C++11 program using the
//!   header's types compile with `-Wall -Wextra -Wpedantic -Werror`, and
//!   static-assert the layouts (zmq_msg_t is 64 bytes, pointer aligned ...).
//! * `header_has_no_rust_syntax`: no Rust type leaked into a prototype.
//!
//! Needs gcc and g++ on PATH.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const GENERATED_HEADER: &str = env!("ZMQ_GENERATED_HEADER");
const DRAFT: &str = "-DZMQ_BUILD_DRAFT_API";

/// errno names whose value libzmq's header defines or falls back on.
const ERRNO_NAMES: &[&str] = &[
    "ENOTSUP",
    "EPROTONOSUPPORT",
    "ENOBUFS",
    "ENETDOWN",
    "EADDRINUSE",
    "EADDRNOTAVAIL",
    "ECONNREFUSED",
    "EINPROGRESS",
    "ENOTSOCK",
    "EMSGSIZE",
    "EAFNOSUPPORT",
    "ENETUNREACH",
    "ECONNABORTED",
    "ECONNRESET",
    "ENOTCONN",
    "ETIMEDOUT",
    "EHOSTUNREACH",
    "ENETRESET",
    "EFSM",
    "ENOCOMPATPROTO",
    "ETERM",
    "EMTHREAD",
];

fn our_header() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("include")
        .join("zmq.h")
}

fn system_header() -> PathBuf {
    let path = std::env::var_os("ZMQ_SYSTEM_HEADER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/include/zmq.h"));
    assert!(
        path.is_file(),
        "{} not found: install libzmq3-dev or set ZMQ_SYSTEM_HEADER",
        path.display()
    );
    path
}

/// A fresh scratch directory, unique within this run (tests run in parallel).
fn scratch(name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("header-tests")
        .join(format!("{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs a command; panics with its output if it fails. Returns stdout.
fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    if !out.status.success() {
        panic!(
            "{cmd:?} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn checked_in_header_is_current() {
    let generated =
        std::fs::read(GENERATED_HEADER).unwrap_or_else(|e| panic!("{GENERATED_HEADER}: {e}"));
    let checked_in = std::fs::read(our_header()).unwrap_or_default();
    if generated == checked_in {
        return;
    }
    let (g, c) = (
        String::from_utf8_lossy(&generated),
        String::from_utf8_lossy(&checked_in),
    );
    let first_diff = g
        .lines()
        .zip(c.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| g.lines().count().min(c.lines().count()));
    panic!(
        "include/zmq.h is stale: run `make header` (or copy {GENERATED_HEADER}).\n\
         First difference at line {}:\n  generated:  {:?}\n  checked in: {:?}",
        first_diff + 1,
        g.lines().nth(first_diff).unwrap_or("<end of file>"),
        c.lines().nth(first_diff).unwrap_or("<end of file>"),
    );
}

// ---------------------------------------------------------------------------
// Macros
// ---------------------------------------------------------------------------

/// A macro's definition as `gcc -dM` prints it.
#[derive(Clone, Debug, PartialEq)]
struct Define {
    /// `Some(params)` for a function-like macro.
    params: Option<String>,
    body: String,
}

/// Every macro defined after including `include` (none: an empty unit).
fn defines(include: Option<&Path>, flags: &[&str]) -> BTreeMap<String, Define> {
    let source = match include {
        Some(h) => format!("#include \"{}\"\n", h.display()),
        None => String::new(),
    };
    let dir = scratch("dM");
    let file = dir.join("unit.c");
    std::fs::write(&file, source).unwrap();
    let text = run(Command::new("gcc")
        .args(["-dM", "-E", "-x", "c"])
        .args(flags)
        .arg(&file));
    let mut map = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("#define ") else {
            continue;
        };
        let name_end = rest.find([' ', '(']).unwrap_or(rest.len());
        let name = rest[..name_end].to_string();
        let rest = &rest[name_end..];
        let (params, body) = if let Some(p) = rest.strip_prefix('(') {
            let close = p.find(')').unwrap();
            (
                Some(p[..close].to_string()),
                p[close + 1..].trim().to_string(),
            )
        } else {
            (None, rest.trim().to_string())
        };
        map.insert(name, Define { params, body });
    }
    map
}

/// A macro's meaning, for comparison.
#[derive(Debug, PartialEq)]
enum Value {
    Int(i64),
    Str(String),
    Empty,
    Function(String),
    /// Not a ZMQ macro: compared by its definition text.
    Text(String),
}

fn wants_value(name: &str) -> bool {
    name.starts_with("ZMQ_") || ERRNO_NAMES.contains(&name)
}

/// The macros `header` adds to an empty unit, with their values: integer and
/// string ones evaluated by a C program compiled against the header.
fn macro_values(header: &Path, flags: &[&str], tag: &str) -> BTreeMap<String, Value> {
    let base = defines(None, flags);
    let all = defines(Some(header), flags);
    let mut names: BTreeSet<String> = all
        .keys()
        .filter(|n| !base.contains_key(*n))
        .cloned()
        .collect();
    // errno values count even where errno.h, not zmq.h, defines them.
    names.extend(
        ERRNO_NAMES
            .iter()
            .filter(|n| all.contains_key(**n))
            .map(|n| n.to_string()),
    );

    let mut values = BTreeMap::new();
    let mut program = format!(
        "#include \"{}\"\n#include <stdio.h>\nint main (void)\n{{\n",
        header.display()
    );
    for name in &names {
        let def = &all[name];
        if let Some(params) = &def.params {
            values.insert(name.clone(), Value::Function(params.replace(' ', "")));
        } else if !wants_value(name) {
            values.insert(name.clone(), Value::Text(def.body.clone()));
        } else if def.body.is_empty() {
            values.insert(name.clone(), Value::Empty);
        } else if def.body.starts_with('"') {
            writeln!(program, "    printf (\"S %s %s\\n\", \"{name}\", {name});").unwrap();
        } else {
            writeln!(
                program,
                "    printf (\"I %s %lld\\n\", \"{name}\", (long long) ({name}));"
            )
            .unwrap();
        }
    }
    program.push_str("    return 0;\n}\n");

    let dir = scratch(&format!("values-{tag}"));
    let (src, exe) = (dir.join("values.c"), dir.join("values"));
    std::fs::write(&src, &program).unwrap();
    run(Command::new("gcc")
        .args(["-w", "-o"])
        .arg(&exe)
        .arg(&src)
        .args(flags));
    for line in run(&mut Command::new(&exe)).lines() {
        let mut parts = line.splitn(3, ' ');
        let (kind, name, value) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap_or(""),
        );
        let value = match kind {
            "I" => Value::Int(value.parse().unwrap()),
            _ => Value::Str(value.to_string()),
        };
        values.insert(name.to_string(), value);
    }
    values
}

fn compare_macros(flags: &[&str], tag: &str) {
    let ours = macro_values(&our_header(), flags, &format!("{tag}-ours"));
    let theirs = macro_values(&system_header(), flags, &format!("{tag}-libzmq"));
    let mut report = String::new();
    for (name, value) in &theirs {
        match ours.get(name) {
            None => writeln!(report, "  missing: {name} (libzmq: {value:?})").unwrap(),
            Some(v) if v != value => {
                writeln!(report, "  differs: {name}: ours {v:?}, libzmq {value:?}").unwrap()
            }
            Some(_) => {}
        }
    }
    for (name, value) in &ours {
        if !theirs.contains_key(name) {
            writeln!(report, "  extra:   {name} = {value:?}").unwrap();
        }
    }
    let zmq_count = theirs.keys().filter(|n| n.starts_with("ZMQ_")).count();
    assert!(
        zmq_count > 150,
        "libzmq's header defines only {zmq_count} ZMQ_ macros?"
    );
    assert!(
        report.is_empty(),
        "include/zmq.h vs {} ({}):\n{report}",
        system_header().display(),
        if flags.is_empty() {
            "stable API"
        } else {
            "with ZMQ_BUILD_DRAFT_API"
        }
    );
    eprintln!(
        "{} macros compared ({zmq_count} ZMQ_*), all equal",
        theirs.len()
    );
}

#[test]
fn macros_match_libzmq() {
    compare_macros(&[], "stable");
}

#[test]
fn macros_match_libzmq_draft() {
    compare_macros(&[DRAFT], "draft");
}

// ---------------------------------------------------------------------------
// Function prototypes
// ---------------------------------------------------------------------------

/// `zmq_*` function name -> its prototype as `gcc -aux-info` prints it
/// (parameter names dropped, whitespace normalised, `struct zmq_x` = `zmq_x`).
fn prototypes(header: &Path, flags: &[&str], tag: &str) -> BTreeMap<String, String> {
    let dir = scratch(&format!("aux-{tag}"));
    let (src, aux) = (dir.join("unit.c"), dir.join("unit.aux"));
    std::fs::write(&src, format!("#include \"{}\"\n", header.display())).unwrap();
    run(Command::new("gcc")
        .args(["-c", "-o", "/dev/null", "-aux-info"])
        .arg(&aux)
        .args(flags)
        .arg(&src));
    let text = std::fs::read_to_string(&aux).unwrap();
    let mut map = BTreeMap::new();
    for line in text.lines() {
        // "/* file:line:NC */ extern int zmq_bind (void *, const char *);"
        let decl = line.rsplit_once("*/").map_or(line, |(_, d)| d).trim();
        let Some(open) = decl.find('(') else { continue };
        let name = decl[..open].trim_end().rsplit([' ', '*']).next().unwrap();
        if name.starts_with("zmq_") {
            // cbindgen spells references to our structs `struct zmq_msg_t *`:
            // the same type as libzmq's `zmq_msg_t *` (both headers declare
            // `typedef struct zmq_msg_t {...} zmq_msg_t`).
            let normal = decl
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .replace("struct zmq_", "zmq_");
            map.insert(name.to_string(), normal);
        }
    }
    map
}

fn compare_prototypes(flags: &[&str], tag: &str) {
    let ours = prototypes(&our_header(), flags, &format!("{tag}-ours"));
    let theirs = prototypes(&system_header(), flags, &format!("{tag}-libzmq"));
    let mut missing = Vec::new();
    let mut report = String::new();
    for (name, proto) in &theirs {
        match ours.get(name) {
            None => missing.push(name.as_str()),
            Some(p) if p != proto => writeln!(
                report,
                "  differs: {name}\n    ours:   {p}\n    libzmq: {proto}"
            )
            .unwrap(),
            Some(_) => {}
        }
    }
    for (name, proto) in &ours {
        if !theirs.contains_key(name) {
            writeln!(report, "  extra:   {proto}").unwrap();
        }
    }
    if !missing.is_empty() {
        writeln!(
            report,
            "  missing ({}): {}",
            missing.len(),
            missing.join(" ")
        )
        .unwrap();
    }
    assert!(
        report.is_empty(),
        "zmq_* prototypes of include/zmq.h vs {} ({}; {} of {} declared):\n{report}",
        system_header().display(),
        if flags.is_empty() {
            "stable API"
        } else {
            "with ZMQ_BUILD_DRAFT_API"
        },
        theirs.len() - missing.len(),
        theirs.len(),
    );
}

#[test]
fn prototypes_match_libzmq() {
    compare_prototypes(&[], "stable");
}

#[test]
fn prototypes_match_libzmq_draft() {
    compare_prototypes(&[DRAFT], "draft");
}

// ---------------------------------------------------------------------------
// Compiling against the header
// ---------------------------------------------------------------------------

/// Exercises the header's types and macros; the layouts are static asserts.
const PROGRAM: &str = r#"
#include <zmq.h>
#include <zmq_utils.h>
#include <stddef.h>

#ifdef __cplusplus
#define ASSERT(c) static_assert (c, #c)
#define ALIGNOF(t) alignof (t)
#else
#define ASSERT(c) _Static_assert (c, #c)
#define ALIGNOF(t) _Alignof (t)
#endif

ASSERT (sizeof (zmq_msg_t) == 64);
ASSERT (ALIGNOF (zmq_msg_t) == sizeof (void *));
ASSERT (sizeof (zmq_fd_t) == sizeof (int));
ASSERT (offsetof (zmq_pollitem_t, socket) == 0);
ASSERT (offsetof (zmq_pollitem_t, fd) == sizeof (void *));
ASSERT (offsetof (zmq_pollitem_t, events) == sizeof (void *) + sizeof (int));
ASSERT (offsetof (zmq_pollitem_t, revents)
        == sizeof (void *) + sizeof (int) + sizeof (short));
ASSERT (sizeof (zmq_pollitem_t) == 2 * sizeof (void *));
ASSERT (ZMQ_VERSION == ZMQ_MAKE_VERSION (4, 3, 4));
ASSERT (ZMQ_DEFINED_STDINT == 1);
ASSERT (EFSM == ZMQ_HAUSNUMERO + 51 && EMTHREAD == ZMQ_HAUSNUMERO + 54);
#ifndef ZMQ_HAVE_TIMERS
#error ZMQ_HAVE_TIMERS is not defined
#endif
#ifdef ZMQ_EXPORT
#error ZMQ_EXPORT leaks out of zmq.h
#endif

#ifdef ZMQ_BUILD_DRAFT_API
#ifndef ZMQ_HAVE_POLLER
#error ZMQ_HAVE_POLLER is not defined
#endif
ASSERT (offsetof (zmq_poller_event_t, socket) == 0);
ASSERT (offsetof (zmq_poller_event_t, fd) == sizeof (void *));
ASSERT (offsetof (zmq_poller_event_t, user_data) == 2 * sizeof (void *));
ASSERT (offsetof (zmq_poller_event_t, events) == 3 * sizeof (void *));
ASSERT (sizeof (zmq_poller_event_t) == 4 * sizeof (void *));
ASSERT (ZMQ_SERVER == 12 && ZMQ_CHANNEL == 20);
ASSERT (ZMQ_EVENT_ALL_V2 == 0x1FFFF);
static const char *property = ZMQ_MSG_PROPERTY_ROUTING_ID;
#else
#ifdef ZMQ_SERVER
#error draft constants visible without ZMQ_BUILD_DRAFT_API
#endif
#endif

/* The callback types are function types, as in libzmq. */
static void free_cb (void *data_, void *hint_) { (void) data_; (void) hint_; }
static void timer_cb (int timer_id_, void *arg_) { (void) timer_id_; (void) arg_; }
static void thread_cb (void *arg_) { (void) arg_; }
zmq_free_fn *free_ptr = free_cb;
zmq_timer_fn *timer_ptr = timer_cb;
zmq_thread_fn *thread_ptr = thread_cb;

struct holder
{
    char c;
    zmq_msg_t msg;
};
ASSERT (offsetof (struct holder, msg) == sizeof (void *));

int use_header (void);
int use_header (void)
{
    zmq_msg_t msg;
    zmq_pollitem_t item = {NULL, -1, ZMQ_POLLIN, 0};
    (void) msg;
    (void) item;
#ifdef ZMQ_BUILD_DRAFT_API
    (void) property;
#endif
    return ZMQ_PAIR + ZMQ_DONTWAIT + ZMQ_SNDMORE + ZMQ_XREQ + ZMQ_IDENTITY + ENOTSUP;
}
"#;

#[test]
fn c_and_cxx_programs_compile() {
    let dir = scratch("compile");
    let (c_src, cxx_src) = (dir.join("use.c"), dir.join("use.cpp"));
    std::fs::write(&c_src, PROGRAM).unwrap();
    std::fs::write(&cxx_src, PROGRAM).unwrap();
    let include = our_header().parent().unwrap().to_path_buf();
    let warn = ["-Wall", "-Wextra", "-Wpedantic", "-Werror"];
    for draft in [None, Some(DRAFT)] {
        let flags: Vec<&str> = draft.into_iter().collect();
        run(Command::new("gcc")
            .args([
                "-std=c11",
                "-Wstrict-prototypes",
                "-Wmissing-prototypes",
                "-c",
                "-o",
                "/dev/null",
            ])
            .args(warn)
            .args(&flags)
            .arg("-I")
            .arg(&include)
            .arg(&c_src));
        run(Command::new("g++")
            .args(["-std=c++11", "-c", "-o", "/dev/null"])
            .args(warn)
            .args(&flags)
            .arg("-I")
            .arg(&include)
            .arg(&cxx_src));
    }
}

#[test]
fn header_has_no_rust_syntax() {
    let text = std::fs::read_to_string(our_header()).unwrap();
    let bad: Vec<&str> = text
        .lines()
        .filter(|l| {
            !l.starts_with('#')
                && !l.trim_start().starts_with("//")
                && !l.trim_start().starts_with("/*")
        })
        .filter(|l| {
            ["<", "&", "::", "Option", "Box"]
                .iter()
                .any(|p| l.contains(p))
        })
        .collect();
    assert!(
        bad.is_empty(),
        "Rust types leaked into include/zmq.h (use C types in the export's \
         signature: *mut c_void, c_int, usize, the aliases of src/ffi/types.rs):\n  {}",
        bad.join("\n  ")
    );
}
