//! Where a path argument really points: made absolute, `..` applied after the
//! symlinks before it are resolved (as the kernel does), so that neither
//! `root/../etc` nor a symlink inside a root leading out of it passes.

use std::path::{Component, Path, PathBuf};

/// Resolve `raw` (absolute, relative to `cwd`, `~`, or a `file://` URL) to
/// the path the kernel would open. Components that do not exist yet are kept
/// as written (a file about to be created).
pub fn resolve(raw: &str, cwd: &Path, home: &Path) -> Result<PathBuf, String> {
    if raw.is_empty() {
        return Err("empty path".into());
    }
    if raw.contains('\0') {
        return Err("path contains a NUL byte".into());
    }
    let raw = raw.strip_prefix("file://").unwrap_or(raw);
    // Forms some servers expand and the proxy cannot know how: `~user/`
    // (Python's expanduser) and `$VAR` (expandvars). Refused, not guessed.
    if raw.starts_with('~') && raw != "~" && !raw.starts_with("~/") {
        return Err("`~user` paths are not accepted".into());
    }
    if raw.contains('$') {
        return Err("paths with `$` (environment variables) are not accepted".into());
    }
    let p = if raw == "~" {
        home.to_path_buf()
    } else if let Some(rest) = raw.strip_prefix("~/") {
        home.join(rest)
    } else {
        cwd.join(raw)
    };
    let mut out = PathBuf::from("/");
    let mut exists = true;
    for c in p.components() {
        match c {
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(name) => {
                out.push(name);
                if exists {
                    match std::fs::canonicalize(&out) {
                        Ok(real) => out = real,
                        Err(_) => exists = false,
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Is `p` inside (or equal to) one of `roots`? Both must come from `resolve`
/// or `canonicalize`.
pub fn inside(p: &Path, roots: &[PathBuf]) -> Option<PathBuf> {
    roots.iter().find(|r| p.starts_with(r)).cloned()
}

/// A dangling symlink anywhere on the resolved path (its target would be
/// created outside the check): the lexical target, or `None` when there is none.
pub fn dangling_target(p: &Path) -> Option<PathBuf> {
    let mut cur = PathBuf::from("/");
    for c in p.components() {
        if let Component::Normal(n) = c {
            cur.push(n);
            if let Ok(m) = std::fs::symlink_metadata(&cur) {
                if m.file_type().is_symlink() && std::fs::metadata(&cur).is_err() {
                    let t = std::fs::read_link(&cur).ok()?;
                    return Some(cur.parent().unwrap_or(Path::new("/")).join(t));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotdot_and_symlinks_resolve_like_the_kernel() {
        let d = std::env::temp_dir().join(format!("mcpw-paths-{}", std::process::id()));
        let root = d.join("root");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::os::unix::fs::symlink("/etc", root.join("out")).unwrap();
        let root = std::fs::canonicalize(&root).unwrap();
        let roots = vec![root.clone()];
        let home = Path::new("/home/x");
        let r = |s: &str| resolve(s, &root, home).unwrap();
        assert!(inside(&r("sub/new.txt"), &roots).is_some());
        assert!(inside(&r("sub/../../x"), &roots).is_none());
        assert!(inside(&r("out/passwd"), &roots).is_none());
        assert!(
            inside(&r("out/../root/sub"), &roots).is_none(),
            "/etc/../root is /root"
        );
        assert_eq!(r("~/a"), PathBuf::from("/home/x/a"));
        assert!(resolve("a\0b", &root, home).is_err());
        assert!(resolve("~root/.ssh", &root, home).is_err());
        assert!(resolve("$HOME/.ssh", &root, home).is_err());
        std::os::unix::fs::symlink(d.join("elsewhere"), root.join("dangling")).unwrap();
        assert!(dangling_target(&r("dangling")).is_some());
        std::fs::remove_dir_all(&d).unwrap();
    }
}
