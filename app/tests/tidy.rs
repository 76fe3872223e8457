//! Architecture invariants read from the source: `app/src/domain` is pure (it imports nothing
//! that does IO — databases, AWS, HTTP, the runtime, the file system, the network — nor reads
//! the clock); the use cases never read the request or redirect; every module has a doc line;
//! and no two files of a crate import each other in a cycle.

use std::fs;
use std::path::{Path, PathBuf};

const FORBIDDEN: &[&str] = &[
    "sqlx",
    "aws_",
    "axum",
    "tokio",
    "reqwest",
    "hyper",
    "leptos",
    "std::fs",
    "std::net",
    "std::process",
    "std::env",
    "Utc::now",
    "Local::now",
    "SystemTime",
    "Instant::now",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source files of module `name` of `app/src` (its `name.rs` and everything under `name/`).
fn module_files(name: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![root.join(format!("{name}.rs"))];
    rust_files(&root.join(name), &mut files);
    assert!(
        files.len() > 5,
        "expected the {name} module files, found {files:?}"
    );
    files
}

/// Every line of `files` whose code (comments aside) names one of `words`.
fn lines_using(files: &[PathBuf], words: &[&str]) -> Vec<String> {
    let mut problems = Vec::new();
    for file in files {
        let text =
            fs::read_to_string(file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for word in words {
                if code.contains(word) {
                    problems.push(format!(
                        "{}:{}: uses {word}: {}",
                        file.display(),
                        number + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn domain_does_no_io_and_reads_no_clock() {
    let problems = lines_using(&module_files("domain"), FORBIDDEN);
    assert!(
        problems.is_empty(),
        "the domain must stay pure:\n{}",
        problems.join("\n")
    );
}

/// What only the Leptos adapter (`app/src/ssr`) may use: request context and redirects.
const REQUEST_CONTEXT: &[&str] = &[
    "leptos",
    "use_context",
    "http::request::Parts",
    "redirect(",
    "crate::ssr::context",
    "crate::ssr::navigation",
];

#[test]
fn use_cases_never_read_the_request_or_redirect() {
    let problems = lines_using(&module_files("usecases"), REQUEST_CONTEXT);
    assert!(
        problems.is_empty(),
        "use cases take their caller as an argument; only app/src/ssr reads the request:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_tidy_check_would_catch_an_import() {
    let line = "use sqlx::SqlitePool;";
    assert!(FORBIDDEN.iter().any(|w| line.contains(w)));
}

#[test]
fn every_module_has_a_doc_line() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["app/src", "frontend/src", "server/src", "server/tests"] {
        rust_files(&crates.join(dir), &mut files);
    }
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            !fs::read_to_string(f)
                .unwrap_or_default()
                .trim_start()
                .starts_with("//!")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a //! doc line: {missing:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// No import cycles between files.
//
// Each crate's `src/` is read as a graph whose nodes are its `.rs` files. A file A has an edge to
// a file B when A's non-test code names a module living in B: in a `use` (groups, `self`,
// `super`, globs, `pub use`) or in a path anywhere in the code (`crate::domain::plans::Change`,
// `super::live::LiveKind`, a child module or a `use`d module alias followed by `::`). A path
// resolves to the longest prefix that is a module file, so naming an item resolves to the file
// that defines (or re-exports) it. Comments, string and char literals and `#[cfg(test)]` items are
// ignored; `mod x;` is not an edge; a file naming itself is not an edge. In a crate with both
// `lib.rs` and `main.rs`, `main.rs` is its own crate root and `<crate name>::…` there means the
// library. Cross-crate paths (`app::…` from the server) are not edges.
// ---------------------------------------------------------------------------------------------

use std::collections::{BTreeMap, BTreeSet, VecDeque};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// An identifier or keyword (`r#x` is `x`, `$crate` is `crate`).
    Ident(String),
    /// `::`
    PathSep,
    Punct(char),
    /// A literal, a number or a lifetime.
    Other,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Rust source to tokens, dropping comments and the contents of string and char literals.
fn lex(src: &str) -> Vec<Token> {
    let c: Vec<char> = src.chars().collect();
    let at = |k: usize| c.get(k).copied().unwrap_or('\0');
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        let start_line = line;
        if ch == '\n' {
            line += 1;
            i += 1;
            continue;
        }
        if ch.is_whitespace() {
            i += 1;
            continue;
        }
        // Line comments, doc comments included.
        if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
            continue;
        }
        // Block comments, which nest.
        if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
            continue;
        }
        // Raw strings: r"…", r#"…"#, br"…", cr#"…"#.
        let raw_prefix = if (ch == 'b' || ch == 'c') && at(i + 1) == 'r' {
            2
        } else if ch == 'r' {
            1
        } else {
            0
        };
        if raw_prefix > 0 {
            let mut j = i + raw_prefix;
            let mut hashes = 0;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            if at(j) == '"' {
                j += 1;
                while j < c.len() {
                    if c[j] == '"' && (0..hashes).all(|h| at(j + 1 + h) == '#') {
                        j += 1 + hashes;
                        break;
                    }
                    if c[j] == '\n' {
                        line += 1;
                    }
                    j += 1;
                }
                out.push(Token {
                    tok: Tok::Other,
                    line: start_line,
                });
                i = j;
                continue;
            }
        }
        // Strings: "…", b"…", c"…".
        if ch == '"' || ((ch == 'b' || ch == 'c') && at(i + 1) == '"') {
            let mut j = if ch == '"' { i + 1 } else { i + 2 };
            while j < c.len() && c[j] != '"' {
                if c[j] == '\\' {
                    if at(j + 1) == '\n' {
                        line += 1;
                    }
                    j += 2;
                    continue;
                }
                if c[j] == '\n' {
                    line += 1;
                }
                j += 1;
            }
            out.push(Token {
                tok: Tok::Other,
                line: start_line,
            });
            i = j + 1;
            continue;
        }
        // Char literals ('x', '\n', b'x') and lifetimes or labels ('a, 'static).
        if ch == '\'' || (ch == 'b' && at(i + 1) == '\'') {
            let q = if ch == '\'' { i } else { i + 1 };
            let end = if at(q + 1) == '\\' {
                let mut j = q + 3;
                while j < c.len() && c[j] != '\'' && c[j] != '\n' {
                    j += 1;
                }
                j + 1
            } else if at(q + 2) == '\'' {
                q + 3
            } else {
                let mut j = q + 1;
                while j < c.len() && is_ident_char(c[j]) {
                    j += 1;
                }
                j
            };
            out.push(Token {
                tok: Tok::Other,
                line: start_line,
            });
            i = end;
            continue;
        }
        // Identifiers, raw identifiers and `$crate`.
        let ident_at = if ch == 'r' && at(i + 1) == '#' && is_ident_start(at(i + 2)) {
            Some(i + 2)
        } else if ch == '$' && is_ident_start(at(i + 1)) {
            let mut j = i + 1;
            while j < c.len() && is_ident_char(c[j]) {
                j += 1;
            }
            if c[i + 1..j].iter().collect::<String>() == "crate" {
                Some(i + 1)
            } else {
                None
            }
        } else if is_ident_start(ch) {
            Some(i)
        } else {
            None
        };
        if let Some(s) = ident_at {
            let mut j = s;
            while j < c.len() && is_ident_char(c[j]) {
                j += 1;
            }
            out.push(Token {
                tok: Tok::Ident(c[s..j].iter().collect()),
                line: start_line,
            });
            i = j;
            continue;
        }
        if ch.is_ascii_digit() {
            let mut j = i;
            while j < c.len()
                && (is_ident_char(c[j]) || (c[j] == '.' && at(j + 1).is_ascii_digit()))
            {
                j += 1;
            }
            out.push(Token {
                tok: Tok::Other,
                line: start_line,
            });
            i = j;
            continue;
        }
        if ch == ':' && at(i + 1) == ':' {
            out.push(Token {
                tok: Tok::PathSep,
                line: start_line,
            });
            i += 2;
            continue;
        }
        out.push(Token {
            tok: Tok::Punct(ch),
            line: start_line,
        });
        i += 1;
    }
    out
}

fn ident_at(t: &[Token], i: usize) -> Option<&str> {
    match t.get(i).map(|t| &t.tok) {
        Some(Tok::Ident(s)) => Some(s),
        _ => None,
    }
}

fn punct_at(t: &[Token], i: usize, p: char) -> bool {
    matches!(t.get(i).map(|t| &t.tok), Some(Tok::Punct(c)) if *c == p)
}

fn sep_at(t: &[Token], i: usize) -> bool {
    matches!(t.get(i).map(|t| &t.tok), Some(Tok::PathSep))
}

/// The index of the bracket closing the one at `open` (or the end of the tokens).
fn matching_close(t: &[Token], open: usize) -> usize {
    let mut depth = 0i64;
    for (k, token) in t.iter().enumerate().skip(open) {
        match token.tok {
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
    t.len()
}

/// Whether a `cfg(…)` predicate only holds when compiling tests.
fn predicate_is_test_only(t: &[Token], i: &mut usize) -> bool {
    let Some(name) = ident_at(t, *i).map(str::to_string) else {
        *i += 1;
        return false;
    };
    *i += 1;
    if punct_at(t, *i, '(') {
        *i += 1;
        let mut each = Vec::new();
        while *i < t.len() && !punct_at(t, *i, ')') {
            if punct_at(t, *i, ',') {
                *i += 1;
                continue;
            }
            each.push(predicate_is_test_only(t, i));
        }
        *i += 1;
        match name.as_str() {
            "all" => each.iter().any(|&b| b),
            "any" => !each.is_empty() && each.iter().all(|&b| b),
            _ => false,
        }
    } else if punct_at(t, *i, '=') {
        *i += 2;
        false
    } else {
        name == "test"
    }
}

/// Whether the attribute whose `[` is at `open` is `cfg(test)` (or another test-only `cfg`).
fn attribute_is_cfg_test(t: &[Token], open: usize) -> bool {
    if ident_at(t, open + 1) != Some("cfg") || !punct_at(t, open + 2, '(') {
        return false;
    }
    let mut i = open + 3;
    predicate_is_test_only(t, &mut i) && punct_at(t, i, ')')
}

/// Skips the item (or statement, field, arm) starting at `i`, after a `#[cfg(test)]`: returns the
/// index just past it. A `#[cfg(test)] mod name;` is recorded in `test_modules`.
fn skip_item(t: &[Token], mut i: usize, test_modules: &mut Vec<String>) -> usize {
    while punct_at(t, i, '#') && punct_at(t, i + 1, '[') {
        i = matching_close(t, i + 1) + 1;
    }
    let mut k = i;
    if ident_at(t, k) == Some("pub") {
        k += 1;
        if punct_at(t, k, '(') {
            k = matching_close(t, k) + 1;
        }
    }
    if ident_at(t, k) == Some("mod") && punct_at(t, k + 2, ';') {
        if let Some(name) = ident_at(t, k + 1) {
            test_modules.push(name.to_string());
        }
    }
    let is_item = matches!(
        ident_at(t, k),
        Some(
            "fn" | "impl"
                | "struct"
                | "enum"
                | "union"
                | "mod"
                | "use"
                | "trait"
                | "type"
                | "const"
                | "static"
                | "async"
                | "unsafe"
                | "extern"
                | "macro_rules"
                | "let"
        )
    );
    let mut depth = 0i64;
    while i < t.len() {
        match t[i].tok {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(c @ (')' | ']' | '}')) => {
                if depth == 0 {
                    return i;
                }
                depth -= 1;
                if depth == 0 && c == '}' {
                    return if punct_at(t, i + 1, ';') {
                        i + 2
                    } else {
                        i + 1
                    };
                }
            }
            Tok::Punct(';') if depth == 0 => return i + 1,
            Tok::Punct(',') if depth == 0 && !is_item => return i + 1,
            _ => {}
        }
        i += 1;
    }
    i
}

#[derive(Debug, Clone, PartialEq)]
enum RefKind {
    /// A path in code.
    Inline,
    /// A `use` binding the given name (None for `_`).
    Use(Option<String>),
    /// A `use …::*`.
    Glob,
}

/// A path a file names, before resolution.
#[derive(Debug, Clone)]
struct RawRef {
    line: usize,
    /// The module the path is written in (the file's module plus any inline `mod x { … }`).
    scope: Vec<String>,
    /// Started with `::`: the first segment is a crate name.
    global: bool,
    segs: Vec<String>,
    kind: RefKind,
}

/// Parses a `use` tree, pushing each leaf as (full path, kind).
fn parse_use_tree(
    t: &[Token],
    i: &mut usize,
    mut prefix: Vec<String>,
    out: &mut Vec<(Vec<String>, RefKind)>,
) {
    loop {
        match t.get(*i).map(|t| &t.tok) {
            Some(Tok::PathSep) => *i += 1,
            Some(Tok::Ident(s)) => {
                let s = s.clone();
                *i += 1;
                if sep_at(t, *i) {
                    prefix.push(s);
                    *i += 1;
                    continue;
                }
                let (full, mut bound) = if s == "self" && !prefix.is_empty() {
                    (prefix.clone(), prefix.last().cloned())
                } else {
                    let mut full = prefix.clone();
                    full.push(s.clone());
                    (full, Some(s))
                };
                if ident_at(t, *i) == Some("as") {
                    bound = ident_at(t, *i + 1)
                        .filter(|b| *b != "_")
                        .map(str::to_string);
                    *i += 2;
                }
                out.push((full, RefKind::Use(bound)));
                return;
            }
            Some(Tok::Punct('*')) => {
                *i += 1;
                out.push((prefix, RefKind::Glob));
                return;
            }
            Some(Tok::Punct('{')) => {
                *i += 1;
                while *i < t.len() {
                    if punct_at(t, *i, '}') {
                        *i += 1;
                        break;
                    }
                    if punct_at(t, *i, ',') {
                        *i += 1;
                        continue;
                    }
                    let before = *i;
                    parse_use_tree(t, i, prefix.clone(), out);
                    if *i == before {
                        *i += 1;
                    }
                }
                return;
            }
            _ => return,
        }
    }
}

/// Every path a file's non-test code names, and the names of its `#[cfg(test)] mod x;` children.
fn collect_refs(src: &str, module: &[String]) -> (Vec<RawRef>, Vec<String>) {
    let t = lex(src);
    let mut refs = Vec::new();
    let mut test_modules = Vec::new();
    let mut depth = 0usize;
    let mut inline_mods: Vec<(String, usize)> = Vec::new();
    let mut pending_mod: Option<String> = None;
    let scope_of = |inline_mods: &[(String, usize)]| {
        let mut scope = module.to_vec();
        scope.extend(inline_mods.iter().map(|(name, _)| name.clone()));
        scope
    };
    let mut i = 0;
    while i < t.len() {
        match &t[i].tok {
            Tok::Punct('#') => {
                let inner = punct_at(&t, i + 1, '!');
                let open = if inner { i + 2 } else { i + 1 };
                if punct_at(&t, open, '[') && attribute_is_cfg_test(&t, open) {
                    let close = matching_close(&t, open);
                    i = if inner {
                        // `#![cfg(test)]`: the rest of the enclosing module is test code.
                        let mut d = 0i64;
                        let mut k = close + 1;
                        while k < t.len() {
                            match t[k].tok {
                                Tok::Punct('(' | '[' | '{') => d += 1,
                                Tok::Punct(')' | ']' | '}') => {
                                    if d == 0 {
                                        break;
                                    }
                                    d -= 1;
                                }
                                _ => {}
                            }
                            k += 1;
                        }
                        k
                    } else {
                        skip_item(&t, close + 1, &mut test_modules)
                    };
                    continue;
                }
                i += 1;
            }
            Tok::Punct('{') => {
                depth += 1;
                if let Some(name) = pending_mod.take() {
                    inline_mods.push((name, depth));
                }
                i += 1;
            }
            Tok::Punct('}') => {
                if inline_mods.last().is_some_and(|(_, d)| *d == depth) {
                    inline_mods.pop();
                }
                depth = depth.saturating_sub(1);
                i += 1;
            }
            Tok::Ident(kw) if kw == "mod" => {
                if let Some(name) = ident_at(&t, i + 1) {
                    if punct_at(&t, i + 2, '{') {
                        pending_mod = Some(name.to_string());
                    }
                }
                i += 2;
            }
            Tok::Ident(kw) if kw == "use" => {
                let line = t[i].line;
                let global = sep_at(&t, i + 1);
                i += 1;
                let mut leaves = Vec::new();
                parse_use_tree(&t, &mut i, Vec::new(), &mut leaves);
                while i < t.len() && !punct_at(&t, i, ';') && !punct_at(&t, i, '}') {
                    i += 1;
                }
                let scope = scope_of(&inline_mods);
                for (segs, kind) in leaves {
                    if !segs.is_empty() {
                        refs.push(RawRef {
                            line,
                            scope: scope.clone(),
                            global,
                            segs,
                            kind,
                        });
                    }
                }
            }
            Tok::Ident(_) | Tok::PathSep => {
                // A path starts at an identifier followed by `::` that does not itself follow
                // `::`, `.` (a method turbofish) or `$` (a macro variable); or at a leading `::`.
                let prev = if i == 0 { None } else { Some(&t[i - 1].tok) };
                let global = t[i].tok == Tok::PathSep;
                let starts = if global {
                    !matches!(prev, Some(Tok::Ident(_) | Tok::Punct('>' | ')' | ']')))
                        && ident_at(&t, i + 1).is_some()
                } else {
                    sep_at(&t, i + 1)
                        && !matches!(prev, Some(Tok::PathSep | Tok::Punct('.' | '$' | '\'')))
                };
                if !starts {
                    i += 1;
                    continue;
                }
                let line = t[i].line;
                let mut k = if global { i + 1 } else { i };
                let mut segs = Vec::new();
                while let Some(s) = ident_at(&t, k) {
                    segs.push(s.to_string());
                    if sep_at(&t, k + 1) && ident_at(&t, k + 2).is_some() {
                        k += 2;
                    } else {
                        break;
                    }
                }
                refs.push(RawRef {
                    line,
                    scope: scope_of(&inline_mods),
                    global,
                    segs,
                    kind: RefKind::Inline,
                });
                i = k + 1;
            }
            _ => i += 1,
        }
    }
    (refs, test_modules)
}

/// The file-level import graph of one crate's `src/`.
struct ImportGraph {
    /// Display names, e.g. `app/src/domain/plans.rs`, in path order.
    files: Vec<String>,
    /// from → to → the first place `from` names `to` (`line`, path as written).
    edges: BTreeMap<usize, BTreeMap<usize, (usize, String)>>,
}

impl ImportGraph {
    /// `files` are (path relative to `src/` with `/` separators, contents); `label` prefixes the
    /// display names; `crate_name` is what a `main.rs` beside a `lib.rs` calls the library.
    fn build(label: &str, crate_name: &str, files: &[(String, String)]) -> ImportGraph {
        let has_lib = files.iter().any(|(p, _)| p == "lib.rs");
        // None: a binary root beside a library (its own crate, nothing can name it).
        let module_of = |rel: &str| -> Option<Vec<String>> {
            if rel == "lib.rs" || (rel == "main.rs" && !has_lib) {
                return Some(Vec::new());
            }
            if rel == "main.rs" {
                return None;
            }
            let mut segs: Vec<String> = rel
                .trim_end_matches(".rs")
                .split('/')
                .map(str::to_string)
                .collect();
            if segs.last().is_some_and(|s| s == "mod") {
                segs.pop();
            }
            Some(segs)
        };
        let mut modules: BTreeMap<Vec<String>, usize> = BTreeMap::new();
        let mut parsed = Vec::new();
        let mut test_only: Vec<Vec<String>> = Vec::new();
        for (index, (rel, text)) in files.iter().enumerate() {
            let module = module_of(rel);
            if let Some(m) = &module {
                modules.insert(m.clone(), index);
            }
            let scope = module.clone().unwrap_or_default();
            let (refs, tests) = collect_refs(text, &scope);
            for name in tests {
                let mut m = scope.clone();
                m.push(name);
                test_only.push(m);
            }
            parsed.push((module, refs));
        }
        let is_test_only = |m: &Option<Vec<String>>| {
            m.as_ref()
                .is_some_and(|m| test_only.iter().any(|t| m.starts_with(t)))
        };

        let mut graph = ImportGraph {
            files: files
                .iter()
                .map(|(rel, _)| format!("{label}/{rel}"))
                .collect(),
            edges: BTreeMap::new(),
        };
        for (from, (module, refs)) in parsed.iter().enumerate() {
            if is_test_only(module) {
                continue;
            }
            let bin_root = module.is_none();
            // Module aliases brought in by `use` (named imports and the child modules of globs).
            let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for _round in 0..2 {
                for r in refs {
                    let Some(path) = Self::absolute(r, bin_root, crate_name, &modules, &aliases)
                    else {
                        continue;
                    };
                    if !modules.contains_key(&path) {
                        continue;
                    }
                    match &r.kind {
                        RefKind::Use(Some(name)) => {
                            aliases.insert(name.clone(), path);
                        }
                        RefKind::Glob => {
                            for child in modules.keys() {
                                if child.len() == path.len() + 1 && child.starts_with(&path) {
                                    aliases
                                        .entry(child[path.len()].clone())
                                        .or_insert_with(|| child.clone());
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            for r in refs {
                let Some(path) = Self::absolute(r, bin_root, crate_name, &modules, &aliases) else {
                    continue;
                };
                let Some(to) = (0..=path.len())
                    .rev()
                    .find_map(|n| modules.get(&path[..n]).copied())
                else {
                    continue;
                };
                if to != from && !is_test_only(&parsed[to].0) {
                    let written = format!(
                        "{}{}{}",
                        if r.global { "::" } else { "" },
                        r.segs.join("::"),
                        if r.kind == RefKind::Glob { "::*" } else { "" }
                    );
                    graph
                        .edges
                        .entry(from)
                        .or_default()
                        .entry(to)
                        .or_insert((r.line, written));
                }
            }
        }
        graph
    }

    /// The module path (from the crate root) a reference names, if it is inside the crate.
    fn absolute(
        r: &RawRef,
        bin_root: bool,
        crate_name: &str,
        modules: &BTreeMap<Vec<String>, usize>,
        aliases: &BTreeMap<String, Vec<String>>,
    ) -> Option<Vec<String>> {
        let first = r.segs.first()?.as_str();
        let mut base: Vec<String>;
        let rest: &[String];
        if r.global || (bin_root && first == crate_name) {
            if !(bin_root && first == crate_name) {
                return None;
            }
            base = Vec::new();
            rest = &r.segs[1..];
        } else if bin_root {
            // `crate::`, `self::`, `super::` in a binary root beside a library name the binary.
            return None;
        } else if first == "crate" {
            base = Vec::new();
            rest = &r.segs[1..];
        } else if first == "self" {
            base = r.scope.clone();
            rest = &r.segs[1..];
        } else if first == "super" {
            base = r.scope.clone();
            let supers = r.segs.iter().take_while(|s| *s == "super").count();
            if supers > base.len() {
                return None;
            }
            base.truncate(base.len() - supers);
            rest = &r.segs[supers..];
        } else {
            let mut child = r.scope.clone();
            child.push(first.to_string());
            if modules.contains_key(&child) {
                base = child;
            } else if let Some(alias) = aliases.get(first) {
                base = alias.clone();
            } else {
                return None;
            }
            rest = &r.segs[1..];
        }
        base.extend(rest.iter().cloned());
        Some(base)
    }

    fn has_edge(&self, from: &str, to: &str) -> bool {
        let index = |name: &str| self.files.iter().position(|f| f == name);
        match (index(from), index(to)) {
            (Some(a), Some(b)) => self.edges.get(&a).is_some_and(|e| e.contains_key(&b)),
            _ => false,
        }
    }

    fn edge_count(&self) -> usize {
        self.edges.values().map(BTreeMap::len).sum()
    }

    /// Strongly connected components with more than one file (Tarjan), each sorted.
    fn tangled_components(&self) -> Vec<Vec<usize>> {
        struct Tarjan<'a> {
            graph: &'a ImportGraph,
            next: usize,
            index: Vec<Option<usize>>,
            low: Vec<usize>,
            stack: Vec<usize>,
            on_stack: Vec<bool>,
            found: Vec<Vec<usize>>,
        }
        impl Tarjan<'_> {
            fn visit(&mut self, v: usize) {
                self.index[v] = Some(self.next);
                self.low[v] = self.next;
                self.next += 1;
                self.stack.push(v);
                self.on_stack[v] = true;
                let targets: Vec<usize> = self
                    .graph
                    .edges
                    .get(&v)
                    .map(|e| e.keys().copied().collect())
                    .unwrap_or_default();
                for w in targets {
                    match self.index[w] {
                        None => {
                            self.visit(w);
                            self.low[v] = self.low[v].min(self.low[w]);
                        }
                        Some(iw) if self.on_stack[w] => self.low[v] = self.low[v].min(iw),
                        Some(_) => {}
                    }
                }
                if Some(self.low[v]) == self.index[v] {
                    let mut component = Vec::new();
                    while let Some(w) = self.stack.pop() {
                        self.on_stack[w] = false;
                        component.push(w);
                        if w == v {
                            break;
                        }
                    }
                    if component.len() > 1 {
                        component.sort();
                        self.found.push(component);
                    }
                }
            }
        }
        let n = self.files.len();
        let mut tarjan = Tarjan {
            graph: self,
            next: 0,
            index: vec![None; n],
            low: vec![0; n],
            stack: Vec::new(),
            on_stack: vec![false; n],
            found: Vec::new(),
        };
        for v in 0..n {
            if tarjan.index[v].is_none() {
                tarjan.visit(v);
            }
        }
        let mut found = tarjan.found;
        found.sort();
        found
    }

    /// The shortest path `from` → … → `to` staying inside `within` (both ends included).
    fn shortest_path(&self, from: usize, to: usize, within: &BTreeSet<usize>) -> Vec<usize> {
        let mut came_from: BTreeMap<usize, usize> = BTreeMap::new();
        let mut queue = VecDeque::from([from]);
        let mut seen = BTreeSet::from([from]);
        while let Some(v) = queue.pop_front() {
            if v == to {
                break;
            }
            for &w in self.edges.get(&v).into_iter().flat_map(|e| e.keys()) {
                if within.contains(&w) && seen.insert(w) {
                    came_from.insert(w, v);
                    queue.push_back(w);
                }
            }
        }
        let mut path = vec![to];
        let mut v = to;
        while v != from {
            v = came_from[&v];
            path.push(v);
        }
        path.reverse();
        path
    }

    /// For each tangle of files, the files and cycles through them that between them use every
    /// import edge inside it: breaking each listed cycle at some edge untangles the files.
    fn cycle_report(&self) -> Vec<String> {
        let mut report = Vec::new();
        for component in self.tangled_components() {
            let within: BTreeSet<usize> = component.iter().copied().collect();
            let names: Vec<&str> = component.iter().map(|&f| self.files[f].as_str()).collect();
            let mut text = format!(
                "{} files import each other: {}\n",
                component.len(),
                names.join(", ")
            );
            let mut covered: BTreeSet<(usize, usize)> = BTreeSet::new();
            for &a in &component {
                for &b in self.edges.get(&a).into_iter().flat_map(|e| e.keys()) {
                    if !within.contains(&b) || covered.contains(&(a, b)) {
                        continue;
                    }
                    let mut cycle = vec![a];
                    cycle.extend(self.shortest_path(b, a, &within));
                    let chain: Vec<&str> = cycle.iter().map(|&f| self.files[f].as_str()).collect();
                    text.push_str(&format!("  {}\n", chain.join(" -> ")));
                    for step in cycle.windows(2) {
                        covered.insert((step[0], step[1]));
                        let (line, written) = &self.edges[&step[0]][&step[1]];
                        text.push_str(&format!(
                            "      {}:{line} names {written}\n",
                            self.files[step[0]]
                        ));
                    }
                }
            }
            report.push(text);
        }
        report
    }
}

/// The (path relative to `src`, contents) of every `.rs` file under `src`, in path order.
fn crate_sources(src: &Path) -> Vec<(String, String)> {
    let mut paths = Vec::new();
    rust_files(src, &mut paths);
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let rel = p.strip_prefix(src).expect("under src");
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let text =
                fs::read_to_string(p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()));
            (rel.join("/"), text)
        })
        .collect()
}

#[test]
fn no_import_cycles_between_files() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut report = Vec::new();
    for name in ["app", "server", "bench"] {
        let graph = ImportGraph::build(
            &format!("{name}/src"),
            name,
            &crate_sources(&workspace.join(name).join("src")),
        );
        assert!(
            graph.edge_count() > 0,
            "{name}/src: found no imports between files, the checker is broken"
        );
        report.extend(graph.cycle_report());
    }
    assert!(
        report.is_empty(),
        "files must not import each other in a cycle: move what both need into a module of its \
         own, or pass it in. {} tangle(s):\n\n{}",
        report.len(),
        report.join("\n")
    );
}

#[test]
fn the_import_graph_sees_what_it_should() {
    let files: Vec<(String, String)> = [
        ("lib.rs", "//! Root.\npub mod a;\npub mod b;\npub mod c;\npub mod d;\npub mod e;\n"),
        // A two-file cycle: a `use` one way, an inline `super::` path the other.
        ("a.rs", "use crate::b::Thing;\npub fn g() {}\n"),
        ("b.rs", "pub struct Thing;\npub fn f() {\n    super::a::g();\n}\n"),
        // A grouped use is two edges; comments, strings and test code are not edges.
        (
            "c.rs",
            concat!(
                "//! Mentions crate::a::g in a doc comment.\n",
                "use crate::{d::X, e::Y};\n",
                "// crate::a::g();\n",
                "/* crate::b::f(); /* nested */ crate::a::g(); */\n",
                "/// Calls crate::a::g.\n",
                "pub fn s() -> &'static str { let _q = '\"'; \"crate::a::g\" }\n",
                "pub fn r() -> &'static str { r#\"crate::b::f\"# }\n",
                "#[cfg(test)]\nuse crate::a::g;\n",
                "#[cfg(test)]\nfn helper() { crate::b::f(); }\n",
                "#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn t() { crate::a::g(); { crate::b::f(); } }\n}\n",
            ),
        ),
        // `mod inner;` is not an edge (d/inner.rs naming d is, one way only).
        ("d.rs", "mod inner;\npub struct X;\n"),
        ("d/inner.rs", "use super::X;\n"),
        ("e.rs", "pub struct Y;\n"),
        // A binary beside the library names it by the crate's name.
        ("main.rs", "fn main() { fake::e::Y; }\n"),
    ]
    .iter()
    .map(|(p, t)| (p.to_string(), t.to_string()))
    .collect();
    let graph = ImportGraph::build("fake/src", "fake", &files);
    let edge =
        |a: &str, b: &str| graph.has_edge(&format!("fake/src/{a}"), &format!("fake/src/{b}"));

    assert!(edge("a.rs", "b.rs"), "a use is an edge");
    assert!(edge("b.rs", "a.rs"), "an inline super:: path is an edge");
    assert!(
        edge("c.rs", "d.rs") && edge("c.rs", "e.rs"),
        "a grouped use is two edges"
    );
    assert!(
        !edge("c.rs", "a.rs"),
        "comments, strings and cfg(test) code are not edges"
    );
    assert!(
        !edge("c.rs", "b.rs"),
        "comments, strings and cfg(test) code are not edges"
    );
    assert!(!edge("lib.rs", "a.rs"), "a mod declaration is not an edge");
    assert!(
        !edge("d.rs", "d/inner.rs"),
        "a mod declaration is not an edge"
    );
    assert!(edge("d/inner.rs", "d.rs"), "use super:: is an edge");
    assert!(
        edge("main.rs", "e.rs"),
        "main.rs names the library by the crate's name"
    );
    assert_eq!(graph.edge_count(), 6, "{:?}", graph.edges);

    let report = graph.cycle_report();
    assert_eq!(report.len(), 1, "{report:#?}");
    assert!(
        report[0].contains("fake/src/a.rs -> fake/src/b.rs -> fake/src/a.rs"),
        "{report:#?}"
    );
}
