//! Every exported C function runs its body through the boundary wrapper
//! `entry(..)` of src/ffi/mod.rs (errno and the failure value in one place).
//!
//! A source scan, no build needed:
//! * `every_export_goes_through_entry`: each `extern "C" fn zmq_*` defined
//!   under src/ffi/ calls `entry(` in its body (comments and string literals
//!   do not count). `ALLOWED` lists deliberate exceptions, with the reason.
//! * `no_mangle_only_on_zmq_exports_in_ffi`: `#[no_mangle]` /
//!   `#[export_name]` appear only under src/ffi/ and only on `zmq_*`
//!   functions: anything else would be exported and declared in zmq.h.

use std::path::{Path, PathBuf};

/// Exports whose whole body is trivially infallible and need no `entry`:
/// (name, reason). Keep it empty if at all possible.
const ALLOWED: &[(&str, &str)] = &[];

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// `text` with comments blanked out and string/char literal contents
/// replaced by spaces; byte offsets (and so line numbers) are preserved.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = text[i..].find('\n').map_or(b.len(), |n| i + n);
                blank(&mut out, i, end);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let (mut depth, mut j) = (1, i + 2);
                while j < b.len() && depth > 0 {
                    if b[j..].starts_with(b"/*") {
                        depth += 1;
                        j += 2;
                    } else if b[j..].starts_with(b"*/") {
                        depth -= 1;
                        j += 2;
                    } else {
                        j += 1;
                    }
                }
                blank(&mut out, i, j);
                i = j;
            }
            b'r' if (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
                && !(i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                // Raw string r"..." / r#"..."#.
                let hashes = b[i + 1..].iter().take_while(|c| **c == b'#').count();
                if b.get(i + 1 + hashes) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let body = i + 2 + hashes;
                let end = text[body..]
                    .find(&close)
                    .map_or(b.len(), |n| body + n + close.len());
                blank(&mut out, body, end.saturating_sub(close.len()));
                i = end;
            }
            b'"' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                blank(&mut out, i + 1, j.min(b.len()));
                i = j + 1;
            }
            b'\'' => {
                // A char literal ('x', '\n', '\u{..}'), not a lifetime.
                let end = if b.get(i + 1) == Some(&b'\\') {
                    text[i + 2..].find('\'').map(|n| i + 2 + n)
                } else if b.get(i + 2) == Some(&b'\'') {
                    Some(i + 2)
                } else {
                    None
                };
                match end {
                    Some(end) => {
                        blank(&mut out, i + 1, end);
                        i = end + 1;
                    }
                    None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    String::from_utf8(out).unwrap()
}

/// The body (between its braces) of the fn whose signature starts at `at`.
fn body_of(code: &str, at: usize) -> Option<&str> {
    // The body opens at the first `{` after the parameter list and return
    // type; `{` cannot appear earlier in a signature.
    let open = at + code[at..].find(['{', ';'])?;
    if code.as_bytes()[open] == b';' {
        return None; // a declaration (extern block), not a definition
    }
    let mut depth = 0;
    for (i, c) in code[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&code[open + 1..open + i]);
                }
            }
            _ => {}
        }
    }
    None
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

/// (file, line, name, body) of every `extern "C" fn zmq_*` definition in src/ffi.
fn exports() -> Vec<(PathBuf, usize, String, String)> {
    let mut files = Vec::new();
    rs_files(&src_dir().join("ffi"), &mut files);
    let mut found = Vec::new();
    for file in files {
        let code = code_only(&std::fs::read_to_string(&file).unwrap());
        let mut from = 0;
        while let Some(n) = code[from..].find("extern \"") {
            let at = from + n;
            from = at + 1;
            // extern "C" fn NAME  /  extern "C-unwind" fn NAME (the literal
            // itself was blanked: skip to the closing quote).
            let after_abi = at + 8 + code[at + 8..].find('"').unwrap_or(0) + 1;
            let rest = code[after_abi..].trim_start();
            let Some(rest) = rest.strip_prefix("fn") else {
                continue;
            };
            let name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.starts_with("zmq_") {
                continue;
            }
            if let Some(body) = body_of(&code, after_abi) {
                found.push((file.clone(), line_of(&code, at), name, body.to_string()));
            }
        }
    }
    found
}

#[test]
fn every_export_goes_through_entry() {
    let exports = exports();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut bad = Vec::new();
    for (file, line, name, body) in &exports {
        let squeezed: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        if squeezed.contains("entry(") || ALLOWED.iter().any(|(n, _)| n == name) {
            continue;
        }
        bad.push(format!(
            "{}:{line}: {name}",
            file.strip_prefix(root).unwrap_or(file).display()
        ));
    }
    eprintln!("{} exports scanned", exports.len());
    assert!(
        bad.is_empty(),
        "exported functions whose body does not go through `entry(..)` \
         (wrap the body: `entry(|| {{ ... }})`):\n  {}",
        bad.join("\n  ")
    );
}

#[test]
fn no_mangle_only_on_zmq_exports_in_ffi() {
    let mut files = Vec::new();
    rs_files(&src_dir(), &mut files);
    let ffi = src_dir().join("ffi");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut bad = Vec::new();
    for file in files {
        let code = code_only(&std::fs::read_to_string(&file).unwrap());
        for attr in ["no_mangle", "export_name"] {
            for (at, _) in code.match_indices(attr) {
                // Only inside an attribute: `#[no_mangle]`, `#[unsafe(no_mangle)]`.
                let before = code[..at].trim_end_matches(|c: char| c.is_whitespace() || c == '(');
                let before = before.strip_suffix("unsafe").unwrap_or(before).trim_end();
                if !before.ends_with("#[") {
                    continue;
                }
                // The item: the first `fn NAME` / `static NAME` after the attribute.
                let item = &code[at..];
                let name = ["fn ", "static "]
                    .iter()
                    .filter_map(|kw| item.find(kw).map(|p| (p, p + kw.len())))
                    .min()
                    .map(|(_, start)| {
                        item[start..]
                            .trim_start()
                            .trim_start_matches("mut ")
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect::<String>()
                    })
                    .unwrap_or_default();
                let where_ = format!(
                    "{}:{}",
                    file.strip_prefix(root).unwrap_or(&file).display(),
                    line_of(&code, at)
                );
                if !file.starts_with(&ffi) {
                    bad.push(format!("{where_}: #[{attr}] outside src/ffi ({name})"));
                } else if attr == "export_name" || !name.starts_with("zmq_") {
                    bad.push(format!(
                        "{where_}: #[{attr}] on `{name}`, not a zmq_* function"
                    ));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "symbols exported outside the C API:\n  {}",
        bad.join("\n  ")
    );
}

#[test]
fn scanner_sees_through_comments_and_strings() {
    let code = code_only("fn a() { let s = \"entry(\"; /* entry( */ // entry(\n let c = '{'; }");
    assert!(!code.contains("entry("));
    assert_eq!(body_of(&code, 0).map(|b| b.contains('{')), Some(false));
    let code = code_only("fn b<'a>(x: &'a u8) { entry(|| Ok(r#\"}\"#)) }");
    assert!(body_of(&code, 0).unwrap().contains("entry("));
}
