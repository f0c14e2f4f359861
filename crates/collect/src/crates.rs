//! crates.io: sparse index line → `.crate` archive → verified, extracted tree.
//!
//! The index (`index.crates.io`) has one file per crate with a JSON line per
//! published version, carrying the archive's SHA-256; archives come from the
//! download host (`static.crates.io/crates/NAME/NAME-VERSION.crate`), a tar.gz
//! whose files sit under `NAME-VERSION/`.

use serde_json::Value;

use crate::cache::{Cache, Meta};
use crate::error::{CollectError, ErrorKind, Result};
use crate::http::{self, Expected};
use crate::{
    cached, collected, ensure_tree, fetch_archive, local, pinned_or_cached, Collected, Config,
};

/// An index file holds one short line per version: a few MB at most.
const INDEX_LIMIT: u64 = 16 << 20;

/// The sparse index path of a crate: `1/a`, `2/ab`, `3/a/abc`, `ab/cd/abcd…`.
pub(crate) fn index_path(name: &str) -> String {
    let n = name.to_ascii_lowercase();
    match n.len() {
        1 => format!("1/{n}"),
        2 => format!("2/{n}"),
        3 => format!("3/{}/{n}", &n[..1]),
        _ => format!("{}/{}/{n}", &n[..2], &n[2..4]),
    }
}

/// A version number's parts for ordering (`1.10.0` after `1.9.3`); pre-releases
/// (`1.0.0-rc.1`) are never picked as the latest.
fn version_key(v: &str) -> Option<(u64, u64, u64)> {
    if v.contains('-') {
        return None;
    }
    let core = v.split('+').next().unwrap_or(v);
    let mut it = core.split('.').map(|p| p.parse::<u64>().ok());
    Some((it.next()??, it.next()??, it.next()??))
}

/// The index entry for `version`, or the latest non-yanked release.
fn pick(lines: &[Value], version: Option<&str>) -> Option<Value> {
    match version {
        Some(v) => lines
            .iter()
            .find(|l| l.get("vers").and_then(Value::as_str) == Some(v))
            .cloned(),
        None => lines
            .iter()
            .filter(|l| !l.get("yanked").and_then(Value::as_bool).unwrap_or(false))
            .filter_map(|l| Some((version_key(l.get("vers")?.as_str()?)?, l)))
            .max_by_key(|(k, _)| *k)
            .map(|(_, l)| l.clone()),
    }
}

pub(crate) fn collect(
    cfg: &Config,
    cache: &Cache,
    name: &str,
    version: Option<&str>,
) -> Result<Collected> {
    let (pinned, hit) = pinned_or_cached(cfg, cache, "crates", name, version, |v| {
        format!("{name}@{v}")
    })?;
    if let Some(c) = hit {
        return Ok(c);
    }

    let index_url = format!(
        "{}/{}",
        cfg.crates_index.trim_end_matches('/'),
        index_path(name)
    );
    let (body, _) = http::get_bytes(cfg, &index_url, INDEX_LIMIT)?;
    let lines: Vec<Value> = String::from_utf8_lossy(&body)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    if lines.is_empty() {
        return Err(CollectError::new(
            ErrorKind::BadMetadata,
            format!("{index_url}: no version lines"),
        ));
    }
    let entry = pick(&lines, pinned.as_deref()).ok_or_else(|| {
        CollectError::new(
            ErrorKind::NotFound,
            match &pinned {
                Some(v) => format!("version {v} is not in the index"),
                None => "no release that is not yanked or a pre-release".to_string(),
            },
        )
    })?;
    // The index spells the name as published (case); the archive URL uses it.
    let real_name = entry
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or(name)
        .to_string();
    let version = entry
        .get("vers")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if pinned.is_none() {
        if let Some(c) = cached(cfg, cache, "crates", name, &version) {
            cache.write_resolved("crates", name, &version)?;
            return Ok(c);
        }
    }
    let expected = entry
        .get("cksum")
        .and_then(Value::as_str)
        .and_then(http::unhex)
        .filter(|b| b.len() == 32)
        .map(Expected::Sha256)
        .ok_or_else(|| {
            CollectError::new(
                ErrorKind::Integrity,
                format!("{real_name}@{version}: the index publishes no checksum"),
            )
        })?;
    let url = format!(
        "{}/{real_name}/{real_name}-{version}.crate",
        cfg.crates_dl.trim_end_matches('/')
    );
    let (archive, sha256) = fetch_archive(cfg, cache, &url, Some(&expected))?;
    let tree = ensure_tree(cfg, cache, &archive, &sha256)?;
    let m = local::read(&crate::extract::tree_root(tree.dir()));
    let meta = Meta {
        registry: "crates".into(),
        name: real_name,
        version: version.clone(),
        digest: format!("sha256:{sha256}"),
        tree: sha256.clone(),
        url: http::redact(&url),
        summary: m.summary,
        keywords: vec![],
        readme: m.readme,
    };
    cache.write_meta(name, &meta.version, &meta)?;
    if pinned.is_none() {
        cache.write_resolved("crates", name, &version)?;
    }
    collected(cache, &meta, tree, false, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn index_paths_follow_the_sparse_layout() {
        assert_eq!(index_path("a"), "1/a");
        assert_eq!(index_path("ab"), "2/ab");
        assert_eq!(index_path("abc"), "3/a/abc");
        assert_eq!(index_path("Rmcp-Server"), "rm/cp/rmcp-server");
    }

    #[test]
    fn latest_skips_yanked_and_prereleases_and_orders_numerically() {
        let lines = vec![
            json!({"vers": "1.9.3"}),
            json!({"vers": "1.10.0"}),
            json!({"vers": "2.0.0-rc.1"}),
            json!({"vers": "1.11.0", "yanked": true}),
        ];
        assert_eq!(pick(&lines, None).unwrap()["vers"], "1.10.0");
        assert_eq!(
            pick(&lines, Some("2.0.0-rc.1")).unwrap()["vers"],
            "2.0.0-rc.1"
        );
        assert!(pick(&lines, Some("9.9.9")).is_none());
    }
}
