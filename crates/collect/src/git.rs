//! git: the system `git`, shallow, with nothing from the repository run.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sha2::Digest as _;

use crate::cache::{remove_tree, Cache, Meta};
use crate::error::{io_err, CollectError, ErrorKind, Result};
use crate::{collected, local, offline_miss, Collected, Config, Tree};

/// Settings for every git command: no hooks, no symlinks in the checkout
/// (they become small files holding the target), no command-running
/// transports, no fsmonitor daemon.
const SAFE: &[&str] = &[
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "core.symlinks=false",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "protocol.ext.allow=never",
    "-c",
    "submodule.recurse=false",
    "-c",
    "advice.detachedHead=false",
    "-c",
    "init.templateDir=",
];

pub(crate) fn collect(
    cfg: &Config,
    cache: &Cache,
    url: &str,
    rev: Option<&str>,
    subdir: Option<&str>,
) -> Result<Collected> {
    let url_key = crate::http::hex(&sha2::Sha256::digest(url.as_bytes()))[..32].to_string();
    let ref_key = rev.unwrap_or("HEAD");
    let from_meta = |commit_hint: Option<&str>| -> Option<Meta> {
        let m = cache.read_meta("git", &url_key, ref_key)?;
        if commit_hint.is_some_and(|c| m.digest != format!("git:{c}")) {
            return None;
        }
        cache.tree_path(&m.tree).is_dir().then_some(m)
    };
    if cfg.offline {
        let m = from_meta(None).ok_or_else(|| offline_miss(&format!("{url} at {ref_key}")))?;
        return collected(cache, &m, Tree::kept(cache, &m.tree), true, subdir);
    }

    // Which commit is it now? A full commit id needs no asking; a branch or
    // tag costs one `ls-remote`, far cheaper than a clone when the tree is cached.
    let commit = match rev {
        Some(r) if is_full_sha(r) => Some(r.to_ascii_lowercase()),
        _ => ls_remote(cfg, url, ref_key)?,
    };
    if let (Some(r), None) = (rev, &commit) {
        // Not a ref on the remote, and not something that could be a short
        // commit id: no clone will find it.
        if !r.bytes().all(|b| b.is_ascii_hexdigit()) || r.len() < 4 {
            return Err(CollectError::new(
                ErrorKind::NotFound,
                format!("{url} has no branch or tag `{r}`"),
            ));
        }
    }
    if let Some(c) = &commit {
        if let Some(m) = from_meta(Some(c)) {
            return collected(cache, &m, Tree::kept(cache, &m.tree), true, subdir);
        }
        let tree_id = format!("git-{c}");
        if cache.tree_path(&tree_id).is_dir() {
            let m = meta_for(cache, url, c, &tree_id);
            cache.write_meta(&url_key, ref_key, &m)?;
            return collected(cache, &m, Tree::kept(cache, &m.tree), true, subdir);
        }
    }

    let tmp = cache.temp_path("clone")?;
    let result = clone(cfg, url, rev, &tmp).and_then(|()| {
        let out = run_git(Some(&tmp), &["rev-parse", "HEAD"], Duration::from_secs(30))?;
        let head = out.trim().to_ascii_lowercase();
        if !is_full_sha(&head) {
            return Err(CollectError::new(ErrorKind::Git, format!("unexpected `git rev-parse` output `{head}`")));
        }
        // History is not scanned; dropping it saves space and leaves no
        // repository config behind in the cache.
        std::fs::remove_dir_all(tmp.join(".git")).map_err(|e| io_err(tmp.join(".git").display(), e))?;
        let (files, bytes) = local::tree_size(&tmp);
        if files > cfg.max_files || bytes > cfg.max_unpacked_bytes {
            return Err(CollectError::new(
                ErrorKind::TooLarge,
                format!("checkout has {files} entries and {bytes} bytes, over the limits ({} entries, {} bytes)", cfg.max_files, cfg.max_unpacked_bytes),
            ));
        }
        Ok(head)
    });
    let head = match result {
        Ok(h) => h,
        Err(e) => {
            remove_tree(&tmp);
            return Err(e);
        }
    };
    let tree_id = format!("git-{head}");
    cache.install_tree(&tmp, &tree_id, &[])?;
    let m = meta_for(cache, url, &head, &tree_id);
    cache.write_meta(&url_key, ref_key, &m)?;
    collected(cache, &m, Tree::kept(cache, &m.tree), false, subdir)
}

/// Cache record for a checkout; `version` is the commit (it is stored under
/// the requested ref).
fn meta_for(cache: &Cache, url: &str, commit: &str, tree_id: &str) -> Meta {
    let lm = local::read(&cache.tree_path(tree_id));
    Meta {
        registry: "git".into(),
        name: crate::http::redact(url),
        version: commit.to_string(),
        digest: format!("git:{commit}"),
        tree: tree_id.to_string(),
        url: crate::http::redact(url),
        summary: lm.summary,
        keywords: lm.keywords,
        readme: lm.readme,
    }
}

fn is_full_sha(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The commit `reference` points to on the remote, if it is a ref there
/// (annotated tags resolve to their commit, `^{}`).
fn ls_remote(cfg: &Config, url: &str, reference: &str) -> Result<Option<String>> {
    let out = run_git(None, &["ls-remote", "--", url, reference], cfg.timeout)?;
    let mut best: Option<(u8, String)> = None;
    for line in out.lines() {
        let Some((sha, name)) = line.split_once('\t') else {
            continue;
        };
        let rank = if name.ends_with("^{}") {
            3
        } else if name == reference || name == format!("refs/heads/{reference}") {
            2
        } else {
            1
        };
        if is_full_sha(sha) && best.as_ref().is_none_or(|(r, _)| rank > *r) {
            best = Some((rank, sha.to_ascii_lowercase()));
        }
    }
    Ok(best.map(|(_, s)| s))
}

fn clone(cfg: &Config, url: &str, rev: Option<&str>, dest: &Path) -> Result<()> {
    let budget = cfg.timeout.saturating_mul(5);
    let dest_s = dest.to_string_lossy().into_owned();
    match rev {
        None => run_git(
            None,
            &["clone", "--depth", "1", "--no-tags", "--", url, &dest_s],
            budget,
        )
        .map(drop),
        Some(r) => {
            // Branches and tags clone shallow; a commit id (or anything else)
            // needs the history, then a checkout.
            if !is_full_sha(r)
                && run_git(
                    None,
                    &[
                        "clone",
                        "--depth",
                        "1",
                        "--no-tags",
                        "--branch",
                        r,
                        "--",
                        url,
                        &dest_s,
                    ],
                    budget,
                )
                .is_ok()
            {
                return Ok(());
            }
            remove_tree(dest);
            run_git(
                None,
                &["clone", "--no-checkout", "--", url, &dest_s],
                budget,
            )?;
            run_git(Some(dest), &["checkout", "--detach", r, "--"], budget).map_err(|e| {
                let m = e.message();
                if m.contains("did not match")
                    || m.contains("reference is not a tree")
                    || m.contains("invalid reference")
                {
                    CollectError::new(
                        ErrorKind::NotFound,
                        format!("revision `{r}` not found: {}", e.message()),
                    )
                } else {
                    e
                }
            })?;
            Ok(())
        }
    }
}

/// Runs git with the safe settings, no prompt, and a deadline; returns stdout.
fn run_git(dir: Option<&Path>, args: &[&str], limit: Duration) -> Result<String> {
    let mut cmd = Command::new("git");
    if let Some(d) = dir {
        cmd.arg("-C").arg(d);
    }
    cmd.args(SAFE)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_LFS_SKIP_SMUDGE", "1")
        .env("GCM_INTERACTIVE", "never")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if std::env::var_os("GIT_SSH_COMMAND").is_none() {
        // ssh must not wait for a password or a host-key answer either.
        cmd.env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
    }
    let mut child = cmd.spawn().map_err(|e| {
        CollectError::new(
            ErrorKind::Git,
            format!("cannot run git (is it installed?): {e}"),
        )
    })?;
    // Drain both pipes on threads so a chatty git never blocks on a full pipe.
    let mut so = child.stdout.take().expect("piped");
    let mut se = child.stderr.take().expect("piped");
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = so.read_to_string(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = se.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(CollectError::new(
                    ErrorKind::Network,
                    format!("git {} timed out after {} s", args[0], limit.as_secs()),
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                return Err(CollectError::new(
                    ErrorKind::Git,
                    format!("waiting for git: {e}"),
                ))
            }
        }
    };
    let out = t_out.join().unwrap_or_default();
    let err = t_err.join().unwrap_or_default();
    if status.success() {
        Ok(out)
    } else {
        let msg = err
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_string();
        let kind = if msg.contains("not found")
            || msg.contains("does not exist")
            || msg.contains("not appear to be a git repository")
        {
            ErrorKind::NotFound
        } else if msg.contains("Could not resolve host")
            || msg.contains("unable to access")
            || msg.contains("Connection")
        {
            ErrorKind::Network
        } else {
            ErrorKind::Git
        };
        Err(CollectError::new(
            kind,
            format!("git {} failed ({status}): {msg}", args[0]),
        ))
    }
}
