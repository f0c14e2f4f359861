//! npm: registry document → tarball → verified, extracted tree.

use base64::Engine as _;
use serde_json::Value;

use crate::cache::{Cache, Meta};
use crate::error::{CollectError, ErrorKind, Result};
use crate::http::{self, Expected};
use crate::{
    cached, collected, ensure_tree, fetch_archive, local, pinned_or_cached, Collected, Config,
};

/// Registry documents of packages with thousands of versions run to tens of MB.
const METADATA_LIMIT: u64 = 200 << 20;

pub(crate) fn collect(
    cfg: &Config,
    cache: &Cache,
    name: &str,
    version: Option<&str>,
) -> Result<Collected> {
    let (pinned, hit) =
        pinned_or_cached(cfg, cache, "npm", name, version, |v| format!("{name}@{v}"))?;
    if let Some(c) = hit {
        return Ok(c);
    }

    // Scoped names travel as `@scope%2fname`, the form every registry accepts.
    let meta_url = format!(
        "{}/{}",
        cfg.npm_registry.trim_end_matches('/'),
        name.replace('/', "%2f")
    );
    let (body, doc_url) = http::get_bytes(cfg, &meta_url, METADATA_LIMIT)?;
    let doc: Value = serde_json::from_slice(&body).map_err(|e| {
        CollectError::new(ErrorKind::BadMetadata, format!("{meta_url}: not JSON: {e}"))
    })?;
    drop(body);
    let latest = doc.pointer("/dist-tags/latest").and_then(Value::as_str);
    let version = match (&pinned, latest) {
        (Some(v), _) => v.clone(),
        (None, Some(l)) => l.to_string(),
        (None, None) => {
            return Err(CollectError::new(
                ErrorKind::BadMetadata,
                format!("{meta_url}: no dist-tags.latest"),
            ))
        }
    };
    let Some(vdoc) = doc.get("versions").and_then(|v| v.get(&version)) else {
        return Err(CollectError::new(
            ErrorKind::NotFound,
            format!(
                "version {version} is not in the registry (latest: {})",
                latest.unwrap_or("none")
            ),
        ));
    };
    if pinned.is_none() {
        // The latest version may be cached already: one metadata request was enough.
        if let Some(c) = cached(cfg, cache, "npm", name, &version) {
            cache.write_resolved("npm", name, &version)?;
            return Ok(c);
        }
    }

    let dist = vdoc.get("dist");
    let tarball = dist
        .and_then(|d| d.get("tarball"))
        .and_then(Value::as_str)
        .ok_or_else(|| {
            CollectError::new(
                ErrorKind::NoSource,
                format!("{name}@{version}: no dist.tarball"),
            )
        })?;
    let tarball = resolve(&doc_url, tarball)?;
    let expected = dist.and_then(expected_hash).ok_or_else(|| {
        CollectError::new(
            ErrorKind::Integrity,
            format!("{name}@{version}: the registry publishes no checksum"),
        )
    })?;
    if let Some(size) = dist
        .and_then(|d| d.get("unpackedSize"))
        .and_then(Value::as_u64)
    {
        if size > cfg.max_unpacked_bytes {
            return Err(CollectError::new(
                ErrorKind::TooLarge,
                format!(
                    "{name}@{version} unpacks to {size} bytes, over the {}-byte limit",
                    cfg.max_unpacked_bytes
                ),
            ));
        }
    }

    let (archive, sha256) = fetch_archive(cfg, cache, &tarball, Some(&expected))?;
    let tree = ensure_tree(cfg, cache, &archive, &sha256)?;
    let text = |k: &str| vdoc.get(k).or_else(|| doc.get(k)).and_then(Value::as_str);
    let mut meta = Meta {
        registry: "npm".into(),
        name: vdoc
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(name)
            .to_string(),
        version: version.clone(),
        digest: format!("sha256:{sha256}"),
        tree: sha256.clone(),
        url: http::redact(&tarball),
        summary: local::nonempty(text("description")),
        keywords: local::keywords(vdoc.get("keywords").or_else(|| doc.get("keywords"))),
        readme: local::nonempty(vdoc.get("readme").and_then(Value::as_str)),
    };
    // The document's top-level README is the latest version's: for another
    // version the tarball's own README is the better text. Some registries
    // and mirrors leave the README out entirely.
    let top_readme = || local::nonempty(doc.get("readme").and_then(Value::as_str));
    if meta.readme.is_none() && latest == Some(version.as_str()) {
        meta.readme = top_readme();
    }
    if meta.readme.is_none() || meta.summary.is_none() {
        let m = local::read(&crate::extract::tree_root(tree.dir()));
        meta.readme = meta.readme.or(m.readme).or_else(top_readme);
        meta.summary = meta.summary.or(m.summary);
    }
    cache.write_meta(name, &meta.version, &meta)?;
    if pinned.is_none() {
        cache.write_resolved("npm", name, &version)?;
    }
    collected(cache, &meta, tree, false, None)
}

/// The strongest hash in `dist.integrity` (SRI: `sha512-BASE64 sha1-BASE64`),
/// else the hex `dist.shasum` (sha1).
pub(crate) fn expected_hash(dist: &Value) -> Option<Expected> {
    let mut best: Option<(u8, Expected)> = None;
    if let Some(sri) = dist.get("integrity").and_then(Value::as_str) {
        for item in sri.split_whitespace() {
            let Some((alg, rest)) = item.split_once('-') else {
                continue;
            };
            let b64 = rest.split('?').next().unwrap_or("");
            let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64) else {
                continue;
            };
            let (rank, e) = match (alg, bytes.len()) {
                ("sha512", 64) => (4, Expected::Sha512(bytes)),
                ("sha384", 48) => (3, Expected::Sha384(bytes)),
                ("sha256", 32) => (2, Expected::Sha256(bytes)),
                ("sha1", 20) => (1, Expected::Sha1(bytes)),
                _ => continue,
            };
            if best.as_ref().is_none_or(|(r, _)| rank > *r) {
                best = Some((rank, e));
            }
        }
    }
    best.map(|(_, e)| e).or_else(|| {
        let hex = dist.get("shasum").and_then(Value::as_str)?;
        http::unhex(hex)
            .filter(|b| b.len() == 20)
            .map(Expected::Sha1)
    })
}

/// Resolves a link from a registry document against the document's URL:
/// absolute links stay as they are, relative ones (mirrors) are joined.
pub(crate) fn resolve(base: &str, link: &str) -> Result<String> {
    let base = url::Url::parse(base).map_err(|e| {
        CollectError::new(
            ErrorKind::BadMetadata,
            format!("bad registry URL {base}: {e}"),
        )
    })?;
    let u = base.join(link.trim()).map_err(|e| {
        CollectError::new(
            ErrorKind::BadMetadata,
            format!("bad archive link `{link}`: {e}"),
        )
    })?;
    if !matches!(u.scheme(), "https" | "http") {
        return Err(CollectError::new(
            ErrorKind::BadMetadata,
            format!("archive link `{link}` is not HTTP(S)"),
        ));
    }
    Ok(u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn picks_the_strongest_hash() {
        let sha512 = base64::engine::general_purpose::STANDARD.encode([7u8; 64]);
        let sha1 = base64::engine::general_purpose::STANDARD.encode([1u8; 20]);
        let d = json!({"integrity": format!("sha1-{sha1} sha512-{sha512}"), "shasum": "00"});
        assert_eq!(expected_hash(&d), Some(Expected::Sha512(vec![7; 64])));
        let d = json!({"shasum": "7f88dfab06d4521a4bf937dccbaeb79d46a3e717"});
        assert!(matches!(expected_hash(&d), Some(Expected::Sha1(b)) if b.len() == 20));
        assert_eq!(expected_hash(&json!({"integrity": "md5-AAAA"})), None);
    }

    #[test]
    fn resolves_relative_links() {
        let base = "https://mirror.example/pypi/mcp-server-time/json";
        assert_eq!(
            resolve(base, "../../packages/26/40/x-1.0.tar.gz").unwrap(),
            "https://mirror.example/packages/26/40/x-1.0.tar.gz"
        );
        assert_eq!(
            resolve(base, "https://files.example/a.tgz").unwrap(),
            "https://files.example/a.tgz"
        );
        assert!(resolve(base, "file:///etc/passwd").is_err());
    }
}
