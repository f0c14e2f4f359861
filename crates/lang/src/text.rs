//! Source text helpers: node text, string literal contents, clipping.

use std::cell::RefCell;
use tree_sitter::Node;

thread_local! {
    /// Field ids by (grammar, name pointer): tree-sitter resolves a field name by
    /// comparing it with every field of the grammar, which dominated extraction.
    static FIELDS: RefCell<rustc_hash::FxHashMap<(usize, usize), Option<std::num::NonZeroU16>>> = RefCell::new(Default::default());
}

/// `child_by_field_name` with the name resolved once per grammar and thread.
pub trait FieldExt<'t> {
    fn field(&self, name: &'static str) -> Option<Node<'t>>;
}

impl<'t> FieldExt<'t> for Node<'t> {
    #[inline]
    fn field(&self, name: &'static str) -> Option<Node<'t>> {
        let lang = self.language();
        // A grammar is identified by its static parse table, stable for the process.
        let key = (
            lang.node_kind_count() << 16 ^ lang.field_count() << 4 ^ lang.abi_version(),
            name.as_ptr() as usize,
        );
        let id = FIELDS.with(|m| {
            *m.borrow_mut()
                .entry(key)
                .or_insert_with(|| lang.field_id_for_name(name))
        });
        id.and_then(|id| self.child_by_field_id(id.get()))
    }
}

/// The source of one file, validated as UTF-8 once.
#[derive(Clone, Copy)]
pub struct Src<'a>(pub &'a str);

impl<'a> Src<'a> {
    /// The node's text (empty if a range ever fell inside a character).
    pub fn text(&self, n: Node) -> &'a str {
        self.0.get(n.byte_range()).unwrap_or("")
    }

    /// The contents of a string literal or property key, without quotes and
    /// prefixes (`'x'`, `"x"`, `` `x` ``, `r"x"`, `b'x'`, `"""x"""`).
    pub fn unquote(&self, n: Node) -> String {
        unquote(self.text(n))
    }
}

pub fn unquote(t: &str) -> String {
    // String prefixes (r, b, f, u, rb, ...) only when a quote follows.
    let body = t.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let t = if t.len() - body.len() <= 3 && body.starts_with(['"', '\'']) {
        body
    } else {
        t
    };
    for q in ["\"\"\"", "'''", "\"", "'", "`"] {
        if t.len() >= 2 * q.len() && t.starts_with(q) && t.ends_with(q) {
            return t[q.len()..t.len() - q.len()].to_string();
        }
    }
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquote_handles_every_literal_shape() {
        assert_eq!(unquote("'fs'"), "fs");
        assert_eq!(unquote("\"node:fs\""), "node:fs");
        assert_eq!(unquote("`x`"), "x");
        assert_eq!(unquote("r\"a\\b\""), "a\\b");
        assert_eq!(unquote("\"\"\"doc\"\"\""), "doc");
        assert_eq!(unquote("name"), "name");
        assert_eq!(unquote("f'x'"), "x");
    }
}
