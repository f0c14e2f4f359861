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
    let top = c
        .root
        .file_name()
        .map(|n| format!("{}/", n.to_string_lossy()));
    c.skipped
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
    use mcpwarden_collect::Source;
    use std::path::PathBuf;

    fn collected(root: &str, skipped: Vec<mcpwarden_collect::Skipped>) -> Collected {
        Collected {
            source: Source::parse("npm:x").unwrap(),
            registry: "npm".into(),
            name: "x".into(),
            version: "1.0.0".into(),
            root: PathBuf::from(root),
            digest: String::new(),
            from_cache: false,
            summary: None,
            keywords: vec![],
            readme: None,
            ms: 0,
            skipped,
            archive: None,
        }
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
        let got: Vec<(String, String)> = skipped(&c)
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
