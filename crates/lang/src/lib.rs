//! Per-language fact extraction over tree-sitter.
//!
//! [`extract`] parses one file and returns its [`FileFacts`]: definitions,
//! resolved references, literal arguments, object literals and exports. One
//! parser per language per thread is reused across files.

mod csharp;
mod go;
pub mod ir;
mod java;
mod js;
mod kotlin;
mod python;
mod rust;
mod scope;
pub mod text;

pub use ir::*;

use std::cell::RefCell;
use std::collections::HashMap;
use tree_sitter::{Language, Parser};

/// Route tree-sitter's C allocations to mimalloc (the binary makes it Rust's
/// global allocator too): parsing allocates and frees millions of small nodes,
/// and glibc's malloc spends much of a scan consolidating them. Call once, first
/// thing in `main`, before any parser exists.
pub fn use_mimalloc_for_parsers() {
    use libmimalloc_sys as mi;
    // SAFETY: called before any tree-sitter allocation, so nothing allocated by
    // one allocator is ever freed by the other.
    unsafe {
        tree_sitter::set_allocator(
            Some(mi::mi_malloc),
            Some(mi::mi_calloc),
            Some(mi::mi_realloc),
            Some(mi::mi_free),
        );
    }
}

/// Parsing stops after this long on one file (pathological inputs).
const PARSE_TIMEOUT_MICROS: u64 = 5_000_000;

fn grammar(lang: Lang) -> Language {
    match lang {
        Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
        Lang::Python => tree_sitter_python::LANGUAGE.into(),
        Lang::Go => tree_sitter_go::LANGUAGE.into(),
        Lang::Rust => tree_sitter_rust::LANGUAGE.into(),
        Lang::Java => tree_sitter_java::LANGUAGE.into(),
        Lang::Kotlin => tree_sitter_kotlin_ng::LANGUAGE.into(),
        Lang::CSharp => tree_sitter_c_sharp::LANGUAGE.into(),
    }
}

thread_local! {
    static PARSERS: RefCell<HashMap<Lang, Parser>> = RefCell::new(HashMap::new());
}

/// Why a file could not be analysed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// The grammar could not be loaded (ABI mismatch): a build problem.
    Grammar(String),
    /// tree-sitter gave up (timeout or cancellation).
    Timeout,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::Grammar(e) => write!(f, "grammar failed to load: {e}"),
            ParseError::Timeout => write!(f, "parse timed out"),
        }
    }
}

fn with_parser<T>(lang: Lang, f: impl FnOnce(&mut Parser) -> T) -> Result<T, ParseError> {
    PARSERS.with(|cell| {
        let mut map = cell.borrow_mut();
        let parser = match map.entry(lang) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let mut p = Parser::new();
                p.set_language(&grammar(lang))
                    .map_err(|e| ParseError::Grammar(e.to_string()))?;
                e.insert(p)
            }
        };
        Ok(f(parser))
    })
}

fn parse_tree(lang: Lang, src: &[u8]) -> Result<tree_sitter::Tree, ParseError> {
    with_parser(lang, |p| {
        let start = std::time::Instant::now();
        let mut progress =
            |_: &tree_sitter::ParseState| start.elapsed().as_micros() as u64 > PARSE_TIMEOUT_MICROS;
        let opts = tree_sitter::ParseOptions::new().progress_callback(&mut progress);
        p.parse_with_options(
            &mut |i, _| if i < src.len() { &src[i..] } else { &[] },
            None,
            Some(opts),
        )
    })?
    .ok_or(ParseError::Timeout)
}

/// Parse and extract the facts of one file.
pub fn extract(lang: Lang, src: &[u8]) -> Result<FileFacts, ParseError> {
    let tree = parse_tree(lang, src)?;
    // Callers pass decoded UTF-8; anything else is read lossily rather than refused.
    let text = String::from_utf8_lossy(src);
    Ok(match lang {
        Lang::TypeScript | Lang::Tsx | Lang::JavaScript => js::extract(&tree, &text),
        Lang::Python => python::extract(&tree, &text),
        Lang::Go => go::extract(&tree, &text),
        Lang::Rust => rust::extract(&tree, &text),
        Lang::Java => java::extract(&tree, &text),
        Lang::Kotlin => kotlin::extract(&tree, &text),
        Lang::CSharp => csharp::extract(&tree, &text),
    })
}

/// Parse only (the practical lower bound of analysis cost); returns the number of error nodes.
pub fn parse_only(lang: Lang, src: &[u8]) -> Result<u32, ParseError> {
    let tree = parse_tree(lang, src)?;
    Ok(tree.root_node().has_error() as u32)
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_csharp;
#[cfg(test)]
mod tests_go;
#[cfg(test)]
mod tests_java;
#[cfg(test)]
mod tests_kotlin;
#[cfg(test)]
mod tests_rust;
