//! Fact extraction for kotlin: not implemented yet (counts syntax errors only).

use crate::ir::FileFacts;
use tree_sitter::Tree;

pub fn extract(tree: &Tree, _src: &str) -> FileFacts {
    FileFacts {
        syntax_errors: tree.root_node().has_error() as u32,
        ..Default::default()
    }
}
