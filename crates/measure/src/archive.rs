//! What extraction left out of a package's tree, as entries of the server's
//! `skipped` list: a link inside an npm or PyPI archive (never created on
//! disk, so never scanned) is part of what the package ships and must not
//! vanish without a word.

use mcpwarden_collect::Collected;
use mcpwarden_model::Skipped;

/// One `skipped` entry per archive entry that was not written:
/// `archive-link: symlink to TARGET` / `archive-link: hardlink to TARGET`,
/// and `archive-entry: REASON (DETAIL)` for devices, conflicts and the like.
/// Paths are made relative to the scanned root when they lie under it
/// (`package/bin/x` → `bin/x` for npm).
pub fn skipped(c: &Collected) -> Vec<Skipped> {
    entries(&c.root, &c.skipped)
}

/// [`skipped`] over a tree's root and the entries extraction left out.
fn entries(root: &std::path::Path, left_out: &[mcpwarden_collect::Skipped]) -> Vec<Skipped> {
    let top = root
        .file_name()
        .map(|n| format!("{}/", n.to_string_lossy()));
    left_out
        .iter()
        .map(|s| {
            let path = top
                .as_deref()
                .and_then(|t| s.path.strip_prefix(t))
                .unwrap_or(&s.path)
                .to_string();
            let detail = s.detail.as_deref().unwrap_or("?");
            let reason = match s.reason.as_str() {
                "symlink" | "hardlink" => format!("archive-link: {} to {detail}", s.reason),
                r => match &s.detail {
                    Some(d) => format!("archive-entry: {r} ({d})"),
                    None => format!("archive-entry: {r}"),
                },
            };
            Skipped { path, reason }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// What `skipped` sees of a collected package: its root and the entries left out.
    fn collected(
        root: &str,
        skipped: Vec<mcpwarden_collect::Skipped>,
    ) -> (PathBuf, Vec<mcpwarden_collect::Skipped>) {
        (PathBuf::from(root), skipped)
    }

    fn entry(path: &str, reason: &str, detail: Option<&str>) -> mcpwarden_collect::Skipped {
        mcpwarden_collect::Skipped {
            path: path.into(),
            reason: reason.into(),
            detail: detail.map(str::to_string),
        }
    }

    #[test]
    fn links_and_other_entries_are_named_with_their_target() {
        let c = collected(
            "/cache/trees/ab/package",
            vec![
                entry("package/bin/run", "symlink", Some("/etc/passwd")),
                entry("package/lib/b.js", "hardlink", Some("package/lib/a.js")),
                entry("other/dev", "special", None),
                entry("package/x", "conflict", Some("exists")),
            ],
        );
        let got: Vec<(String, String)> = entries(&c.0, &c.1)
            .into_iter()
            .map(|s| (s.path, s.reason))
            .collect();
        assert_eq!(
            got,
            [
                ("bin/run", "archive-link: symlink to /etc/passwd"),
                ("lib/b.js", "archive-link: hardlink to package/lib/a.js"),
                ("other/dev", "archive-entry: special"),
                ("x", "archive-entry: conflict (exists)"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
    }
}
