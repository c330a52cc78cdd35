//! Build script: generates the C header and sets the shared object's linker
//! options.
//!
//! * Runs cbindgen (configured by `cbindgen.toml`) over the whole crate and
//!   writes the header to `$OUT_DIR/zmq.h`, never into the source tree;
//!   `make header` copies it to `include/zmq.h`, and `tests/header.rs` fails
//!   when the checked-in copy differs. The generated path is passed to the
//!   crate's targets as the `ZMQ_GENERATED_HEADER` environment variable.
//! * On Linux, gives the cdylib the soname `libzmq.so.5` and the version
//!   script `libzmq.map`, which exports only `zmq_*` symbols.

use std::env;
use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));

    // Everything the outputs depend on; nothing else (tests/, include/, the
    // Makefile ...) reruns this script.
    for input in ["build.rs", "cbindgen.toml", "libzmq.map", "src"] {
        println!("cargo:rerun-if-changed={input}");
    }

    generate_header(&manifest_dir, &out_dir);
    link_args(&manifest_dir);
}

/// Writes `$OUT_DIR/zmq.h` (only when its content changes) and exports its path.
///
/// Two cbindgen passes, one header:
/// 1. the constants, from src/consts/stable.rs and src/consts/draft.rs alone:
///    the header's `#define`s are exactly those files', never some module's
///    internal `pub const` (or an associated const such as `Error::EFSM`
///    shadowing our `EFSM`). The crate compiles draft.rs in every build; the
///    header puts its constants under `ZMQ_BUILD_DRAFT_API`, so cbindgen reads
///    the two files through a wrapper that declares the draft one under
///    `#[cfg(feature = "draft")]` (see `constants_root`);
/// 2. the types and the exported functions, from the whole crate (src/lib.rs
///    and every module it declares), with pass 1's text placed right after the
///    hand-written preamble (`after_includes`), where cbindgen itself would put
///    constants.
fn generate_header(manifest_dir: &Path, out_dir: &Path) {
    use cbindgen::{Builder, Config, ItemType};

    let config_path = manifest_dir.join("cbindgen.toml");
    let config = Config::from_file(&config_path)
        .unwrap_or_else(|e| panic!("{}: {e}", config_path.display()));
    let src = manifest_dir.join("src");

    // Pass 1: bare constants, no preamble.
    let mut consts_config = config.clone();
    consts_config.header = None;
    consts_config.trailer = None;
    consts_config.after_includes = None;
    consts_config.include_guard = None;
    consts_config.sys_includes = Vec::new();
    consts_config.no_includes = true;
    consts_config.cpp_compat = false;
    consts_config.export.item_types = vec![ItemType::Constants];
    let mut constants = Vec::new();
    Builder::new()
        .with_config(consts_config)
        .with_src(constants_root(&src.join("consts"), out_dir))
        .generate()
        .unwrap_or_else(|e| panic!("cbindgen (constants of zmq.h) failed: {e}"))
        .write(&mut constants);
    let constants = String::from_utf8(constants).expect("cbindgen writes UTF-8");

    // Pass 2: everything but constants. Opaque items are left out too: the C
    // API has none (handles are `void *`), and the crate's other constants
    // (e.g. `Error::EINVAL`, of the Rust type `Error`) would otherwise drag
    // `typedef struct Error Error;` in.
    let mut config = config;
    let preamble = config.after_includes.take().unwrap_or_default();
    config.after_includes = Some(format!(
        "{}\n\n{}",
        preamble.trim_end(),
        constants.trim_end()
    ));
    config.export.item_types = vec![
        ItemType::Enums,
        ItemType::Structs,
        ItemType::Unions,
        ItemType::Typedefs,
        ItemType::Globals,
        ItemType::Functions,
    ];
    // `with_src` parses a file and every module it declares, without running
    // `cargo metadata`.
    let bindings = Builder::new()
        .with_config(config)
        .with_src(src.join("lib.rs"))
        .generate()
        .unwrap_or_else(|e| panic!("cbindgen (zmq.h) failed: {e}"));

    let header = out_dir.join("zmq.h");
    bindings.write_to_file(&header);
    println!("cargo:rustc-env=ZMQ_GENERATED_HEADER={}", header.display());
}

/// Writes the root file of the constants pass: src/consts' two files as
/// modules (by `#[path]`), the draft one under the cfg that cbindgen.toml's
/// `[defines]` turns into `ZMQ_BUILD_DRAFT_API`. Returns its path.
fn constants_root(consts_dir: &Path, out_dir: &Path) -> PathBuf {
    let module = |name: &str| {
        let file = consts_dir.join(format!("{name}.rs"));
        let file = file.to_str().expect("the source path is UTF-8");
        format!("#[path = {file:?}]\nmod {name};\n")
    };
    let text = format!(
        "{}#[cfg(feature = \"draft\")]\n{}",
        module("stable"),
        module("draft")
    );
    let root = out_dir.join("zmq_h_constants.rs");
    std::fs::write(&root, text).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    root
}

/// The cdylib's soname and export list (GNU ld / lld syntax).
///
/// rustc passes its own version script listing every `#[no_mangle]` item as
/// global; the linker merges both, and an explicitly listed name wins over
/// our `local: *`. So libzmq.map hides whatever rustc does not list, but a
/// stray `#[no_mangle]` is caught by tests (tests/symbols.rs,
/// tests/exports_use_entry.rs), not by the linker.
fn link_args(manifest_dir: &Path) {
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return;
    }
    let map = manifest_dir.join("libzmq.map");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libzmq.so.5");
    println!(
        "cargo:rustc-cdylib-link-arg=-Wl,--version-script={}",
        map.display()
    );
}
