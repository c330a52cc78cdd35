//! The scanner behind tests/layering.rs: a small Rust lexer and just
//! enough of the item syntax to find `mod` declarations, `#[cfg(test)]`
//! items and paths that name a top-level module.

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    PathSep,
    Punct(char),
    /// A string literal's contents (only `#[path = ".."]` needs them).
    Str(String),
    /// Any other literal, or a lifetime.
    Other,
}

struct Token {
    tok: Tok,
    line: usize,
}

fn lex(text: &str) -> Vec<Token> {
    let c: Vec<char> = text.chars().collect();
    let mut toks = Vec::new();
    let (mut i, mut line) = (0, 1);
    let ident_char = |ch: char| ch.is_alphanumeric() || ch == '_';
    // Skips a quoted literal from the opening quote at `i`; returns its end.
    let quoted = |mut i: usize, q: char, line: &mut usize| {
        i += 1;
        while i < c.len() && c[i] != q {
            if c[i] == '\\' {
                i += 1;
            }
            if c.get(i) == Some(&'\n') {
                *line += 1;
            }
            i += 1;
        }
        i + 1
    };
    while i < c.len() {
        let start_line = line;
        let ch = c[i];
        let next = c.get(i + 1).copied();
        let tok = if ch == '\n' {
            line += 1;
            i += 1;
            continue;
        } else if ch.is_whitespace() {
            i += 1;
            continue;
        } else if ch == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
            continue;
        } else if ch == '/' && next == Some('*') {
            let (mut depth, mut j) = (1, i + 2);
            while j < c.len() && depth > 0 {
                match (c[j], c.get(j + 1)) {
                    ('/', Some('*')) => (depth, j) = (depth + 1, j + 2),
                    ('*', Some('/')) => (depth, j) = (depth - 1, j + 2),
                    ('\n', _) => (line, j) = (line + 1, j + 1),
                    _ => j += 1,
                }
            }
            i = j;
            continue;
        } else if ch == '"' {
            let end = quoted(i, '"', &mut line);
            let s: String = c[i + 1..end.saturating_sub(1).max(i + 1)].iter().collect();
            i = end;
            Tok::Str(s)
        } else if ch == '\'' {
            if next == Some('\\') || c.get(i + 2) == Some(&'\'') {
                i = quoted(i, '\'', &mut line);
            } else {
                // A lifetime or a label.
                i += 1;
                while i < c.len() && ident_char(c[i]) {
                    i += 1;
                }
            }
            Tok::Other
        } else if ch.is_ascii_digit() {
            while i < c.len()
                && (ident_char(c[i])
                    || (c[i] == '.' && c.get(i + 1).is_some_and(|d| d.is_ascii_digit())))
            {
                i += 1;
            }
            Tok::Other
        } else if ident_char(ch) {
            let s = i;
            while i < c.len() && ident_char(c[i]) {
                i += 1;
            }
            let word: String = c[s..i].iter().collect();
            match (word.as_str(), c.get(i)) {
                ("r" | "br" | "cr", Some('"' | '#'))
                    if c[i] == '"' || c.get(i + 1).is_some_and(|d| *d == '#' || *d == '"') =>
                {
                    // A raw string: r#"..."#, any number of #.
                    let hashes = c[i..].iter().take_while(|d| **d == '#').count();
                    let body = i + hashes + 1;
                    let close: Vec<char> = std::iter::once('"')
                        .chain(std::iter::repeat_n('#', hashes))
                        .collect();
                    let mut j = body;
                    while j < c.len() && !c[j..].starts_with(&close) {
                        if c[j] == '\n' {
                            line += 1;
                        }
                        j += 1;
                    }
                    let s: String = c[body..j.min(c.len())].iter().collect();
                    i = j + close.len();
                    Tok::Str(s)
                }
                ("r", Some('#')) => {
                    // A raw identifier: r#name.
                    let s = i + 1;
                    i = s;
                    while i < c.len() && ident_char(c[i]) {
                        i += 1;
                    }
                    Tok::Ident(c[s..i].iter().collect())
                }
                ("b" | "c", Some('"')) => {
                    i = quoted(i, '"', &mut line);
                    Tok::Other
                }
                ("b", Some('\'')) => {
                    i = quoted(i, '\'', &mut line);
                    Tok::Other
                }
                _ => Tok::Ident(word),
            }
        } else if ch == ':' && next == Some(':') {
            i += 2;
            Tok::PathSep
        } else {
            i += 1;
            Tok::Punct(ch)
        };
        toks.push(Token {
            tok,
            line: start_line,
        });
    }
    toks
}

/// A `mod name;` declaration, with its `#[path]` if any.
pub struct ModDecl {
    pub name: String,
    pub path_attr: Option<String>,
    pub line: usize,
}

/// A path naming a top-level module: which one, where, and as written.
pub struct Dep {
    pub target: String,
    pub line: usize,
    pub path: String,
}

/// What one file holds, for the layering check.
pub struct FileScan {
    /// `#![cfg(test)]` at the top.
    pub test_only: bool,
    /// Non-test `mod name;` declarations.
    pub mods: Vec<ModDecl>,
    /// `#[cfg(test)] mod name;` declarations.
    pub test_mods: Vec<ModDecl>,
    /// Paths that name a top-level module, in non-test code.
    pub deps: Vec<Dep>,
}

fn is_ident(t: Option<&Token>, word: &str) -> bool {
    matches!(t, Some(Token { tok: Tok::Ident(w), .. }) if w == word)
}

fn is_punct(t: Option<&Token>, ch: char) -> bool {
    matches!(t, Some(Token { tok: Tok::Punct(p), .. }) if *p == ch)
}

/// Scans one file whose module sits `depth` levels below the crate root.
pub fn scan_file(text: &str, depth: usize) -> FileScan {
    let t = lex(text);
    let mut out = FileScan {
        test_only: false,
        mods: Vec::new(),
        test_mods: Vec::new(),
        deps: Vec::new(),
    };
    // One entry per open `{`: whether it opened an inline `mod`.
    let mut braces: Vec<bool> = Vec::new();
    let mut next_brace_is_mod = false;
    // A `#[path = ".."]` waiting for its `mod`.
    let mut path_attr = None;
    let mut i = 0;
    while i < t.len() {
        // Attributes: gather the run of them, then look at the item.
        if is_punct(t.get(i), '#') && is_punct(t.get(i + 1), '!') {
            let close = matching(&t, i + 2);
            out.test_only |= braces.is_empty() && cfg_needs_test(&t[i + 3..close]);
            i = close + 1;
            continue;
        }
        if is_punct(t.get(i), '#') && is_punct(t.get(i + 1), '[') {
            let mut test = false;
            while is_punct(t.get(i), '#') && is_punct(t.get(i + 1), '[') {
                let close = matching(&t, i + 1);
                let attr = &t[i + 2..close];
                test |= cfg_needs_test(attr);
                if let [Token {
                    tok: Tok::Ident(p), ..
                }, Token {
                    tok: Tok::Punct('='),
                    ..
                }, Token {
                    tok: Tok::Str(s), ..
                }] = attr
                {
                    if p == "path" {
                        path_attr = Some(s.clone());
                    }
                }
                i = close + 1;
            }
            if test {
                if let Some(name) = mod_decl_at(&t, i) {
                    out.test_mods.push(ModDecl {
                        name,
                        path_attr: path_attr.take(),
                        line: t[i].line,
                    });
                }
                i = item_end(&t, i);
                path_attr = None;
            }
            continue;
        }
        match &t[i].tok {
            Tok::Ident(w) if w == "mod" => {
                if let (
                    Some(Token {
                        tok: Tok::Ident(name),
                        ..
                    }),
                    true,
                ) = (t.get(i + 1), is_punct(t.get(i + 2), ';'))
                {
                    assert!(
                        braces.iter().all(|m| !m),
                        "line {}: `mod x;` inside an inline module: teach tests/layering.rs",
                        t[i].line
                    );
                    out.mods.push(ModDecl {
                        name: name.clone(),
                        path_attr: path_attr.take(),
                        line: t[i].line,
                    });
                } else if is_punct(t.get(i + 2), '{') {
                    next_brace_is_mod = true;
                }
            }
            Tok::Punct('{') => braces.push(std::mem::take(&mut next_brace_is_mod)),
            Tok::Punct('}') => {
                braces.pop();
            }
            // `pub(in crate::x)` is a visibility, not a use.
            Tok::Ident(w)
                if w == "crate"
                    && t.get(i + 1).is_some_and(|x| x.tok == Tok::PathSep)
                    && !is_ident(i.checked_sub(1).and_then(|p| t.get(p)), "in") =>
            {
                first_segments(&t, i + 2, &mut out.deps, "crate::");
            }
            Tok::Ident(w) if w == "super" && (i == 0 || t[i - 1].tok != Tok::PathSep) => {
                let mut n = 0;
                let mut j = i;
                while is_ident(t.get(j), "super")
                    && t.get(j + 1).is_some_and(|x| x.tok == Tok::PathSep)
                {
                    n += 1;
                    j += 2;
                }
                let here = depth + braces.iter().filter(|m| **m).count();
                if n > 0 && n >= here && !is_ident(i.checked_sub(1).and_then(|p| t.get(p)), "in") {
                    first_segments(&t, j, &mut out.deps, &"super::".repeat(n));
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The name in `mod name;` if that (after a visibility) is the item at `i`.
fn mod_decl_at(t: &[Token], mut i: usize) -> Option<String> {
    if is_ident(t.get(i), "pub") {
        i += 1;
        if is_punct(t.get(i), '(') {
            i = matching(t, i) + 1;
        }
    }
    match (
        t.get(i + 1),
        is_ident(t.get(i), "mod") && is_punct(t.get(i + 2), ';'),
    ) {
        (
            Some(Token {
                tok: Tok::Ident(name),
                ..
            }),
            true,
        ) => Some(name.clone()),
        _ => None,
    }
}

/// The top-level modules named right after a path prefix ending at `i`:
/// one identifier, or each first segment of a `{ .. }` group.
fn first_segments(t: &[Token], i: usize, deps: &mut Vec<Dep>, prefix: &str) {
    let line = t.get(i).map_or(0, |x| x.line);
    match t.get(i).map(|x| &x.tok) {
        Some(Tok::Ident(m)) => {
            let mut path = format!("{prefix}{m}");
            // Show the path as written, a few segments deep.
            let mut j = i + 1;
            while j + 1 < t.len() && t[j].tok == Tok::PathSep && path.len() < 60 {
                match &t[j + 1].tok {
                    Tok::Ident(s) => path.push_str(&format!("::{s}")),
                    Tok::Punct('{') => path.push_str("::{..}"),
                    _ => break,
                }
                j += 2;
            }
            deps.push(Dep {
                target: m.clone(),
                line,
                path,
            });
        }
        Some(Tok::Punct('{')) => {
            let close = matching(t, i);
            let mut depth = 0;
            for k in i..close {
                match &t[k].tok {
                    Tok::Punct('{') => depth += 1,
                    Tok::Punct('}') => depth -= 1,
                    Tok::Ident(m)
                        if depth == 1
                            && (is_punct(t.get(k - 1), '{') || is_punct(t.get(k - 1), ','))
                            && m != "self" =>
                    {
                        deps.push(Dep {
                            target: m.clone(),
                            line: t[k].line,
                            path: format!("{prefix}{{{m}, ..}}"),
                        });
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// The index of the bracket closing the one at `open`.
fn matching(t: &[Token], open: usize) -> usize {
    let mut depth = 0i32;
    for (k, tok) in t.iter().enumerate().skip(open) {
        match tok.tok {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced brackets from line {}", t[open].line)
}

/// The index just past the item (or field, or arm) starting at `i`: after
/// its `;` or `,` or closing `}` at depth 0, or at a closing bracket that
/// belongs to the enclosing item.
fn item_end(t: &[Token], i: usize) -> usize {
    let mut depth = 0i32;
    for (k, tok) in t.iter().enumerate().skip(i) {
        match tok.tok {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') => {
                depth -= 1;
                if depth < 0 {
                    return k;
                }
                if depth == 0 && tok.tok == Tok::Punct('}') {
                    return k + 1;
                }
            }
            Tok::Punct(';' | ',') if depth == 0 => return k + 1,
            _ => {}
        }
    }
    t.len()
}

/// Whether a `cfg(..)` attribute's tokens hold only when `test` is set.
fn cfg_needs_test(attr: &[Token]) -> bool {
    fn needs(t: &[Token], i: &mut usize) -> bool {
        let Some(Token {
            tok: Tok::Ident(w), ..
        }) = t.get(*i)
        else {
            *i += 1;
            return false;
        };
        *i += 1;
        if !is_punct(t.get(*i), '(') {
            // A bare predicate, or `key = "value"`.
            if is_punct(t.get(*i), '=') {
                *i += 2;
            }
            return w == "test";
        }
        *i += 1;
        let mut parts = Vec::new();
        while !is_punct(t.get(*i), ')') && *i < t.len() {
            parts.push(needs(t, i));
            if is_punct(t.get(*i), ',') {
                *i += 1;
            }
        }
        *i += 1;
        match w.as_str() {
            "all" => parts.iter().any(|p| *p),
            "any" => !parts.is_empty() && parts.iter().all(|p| *p),
            _ => false, // not(..), and anything unknown
        }
    }
    if !is_ident(attr.first(), "cfg") || !is_punct(attr.get(1), '(') {
        return false;
    }
    let mut i = 2;
    needs(attr, &mut i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(text: &str, depth: usize) -> Vec<String> {
        scan_file(text, depth)
            .deps
            .into_iter()
            .map(|d| d.target)
            .collect()
    }

    #[test]
    fn scanner_sees_paths_and_groups() {
        let text = r#"
            use crate::error::{Error, Result};
            use crate::{msg::Msg, pipe, self};
            fn f() { let x = crate::socket::types::random_u32(); }
            macro_rules! m { () => { $crate::poll::poll() } }
        "#;
        assert_eq!(targets(text, 1), ["error", "msg", "pipe", "socket", "poll"]);
    }

    #[test]
    fn scanner_skips_comments_strings_and_visibility() {
        let text = r####"
            //! see crate::socket
            /* crate::io /* nested crate::ctx */ crate::ffi */
            pub(in crate::proto) fn f() -> &'static str { "crate::socket" }
            const R: &str = r##"crate::socket "# still"##;
            const C: char = '"'; const B: u8 = b'\''; fn g<'a>(x: &'a u8) {}
            use crate::msg::Msg;
        "####;
        assert_eq!(targets(text, 1), ["msg"]);
    }

    #[test]
    fn scanner_skips_cfg_test_items() {
        let text = r#"
            use crate::msg::Msg;
            #[cfg(test)]
            mod tests { use crate::socket::Socket; fn f() { { crate::io::x(); } } }
            #[cfg(all(test, feature = "draft"))]
            #[path = "x_tests.rs"]
            mod x_tests;
            #[cfg(any(test, fuzzing))] use crate::poll::Poller;
            #[cfg(not(test))] use crate::ctx::Ctx;
            struct S { #[cfg(test)] a: crate::ffi::A, b: crate::pipe::Pipe }
            mod real;
            #[path = "other.rs"] pub(crate) mod other;
        "#;
        let scan = scan_file(text, 1);
        let deps: Vec<_> = scan.deps.iter().map(|d| d.target.as_str()).collect();
        assert_eq!(deps, ["msg", "poll", "ctx", "pipe"]);
        let mods: Vec<_> = scan
            .mods
            .iter()
            .map(|m| (m.name.as_str(), m.path_attr.as_deref()))
            .collect();
        assert_eq!(mods, [("real", None), ("other", Some("other.rs"))]);
        assert!(scan_file("#![cfg(test)]\nuse crate::x;", 1).test_only);
    }

    #[test]
    fn scanner_sees_super_paths_that_reach_the_root() {
        // A file two levels down (src/a/b.rs): super::super:: is the root.
        let text = "use super::sibling; use super::super::socket::X; mod inner { use super::super::super::io; }";
        assert_eq!(targets(text, 2), ["socket", "io"]);
        // In src/a/mod.rs, super:: is the root.
        assert_eq!(targets("use super::{msg, pipe::Pipe};", 1), ["msg", "pipe"]);
    }
}
