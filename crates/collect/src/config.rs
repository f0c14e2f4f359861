//! Where to fetch from, where to cache, and the limits that keep a hostile
//! package from filling the disk.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// Settings for `collect`. Build it with [`Config::from_env`] and change fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Archives, metadata and extracted trees (see the crate docs for the layout).
    pub cache_dir: PathBuf,
    /// Use the cache only; a miss is an `offline-miss` error.
    pub offline: bool,
    /// npm registry base URL, without a trailing slash.
    pub npm_registry: String,
    /// crates.io sparse index and download host (`MCPWARDEN_CRATES_INDEX`, `MCPWARDEN_CRATES_DL`).
    pub crates_index: String,
    pub crates_dl: String,
    /// PyPI base URL (the JSON API is `{pypi_url}/pypi/NAME/json`), without a trailing slash.
    pub pypi_url: String,
    /// Extra attempts after a network error or a 5xx/429 answer.
    pub retries: u32,
    /// Longest wait for a connection or for the next bytes of a response; one
    /// whole HTTP request may take 10 times this, a git clone 5 times.
    pub timeout: Duration,
    /// Largest archive downloaded.
    pub max_archive_bytes: u64,
    /// Largest total of file contents written by one extraction.
    pub max_unpacked_bytes: u64,
    /// Most entries (files and directories) in one archive.
    pub max_files: u64,
    /// Largest unpacked/packed ratio (compression bombs); checked once over
    /// [`RATIO_FLOOR`] bytes, since tiny archives of text compress well legitimately.
    pub max_ratio: u64,
    /// Keep unpacked trees under `CACHE/trees/` instead of removing each after
    /// its scan (`--keep-trees`): faster reruns, several MB of disk a package.
    pub keep_trees: bool,
}

/// Below this many unpacked bytes the compression ratio is not checked.
pub const RATIO_FLOOR: u64 = 4 << 20;

pub const DEFAULT_NPM_REGISTRY: &str = "https://registry.npmjs.org";
pub const DEFAULT_PYPI_URL: &str = "https://pypi.org";

impl Config {
    /// Defaults, with the user's own settings:
    /// - cache: `MCPWARDEN_CACHE_DIR`, else `$XDG_CACHE_HOME/mcpwarden`, else `~/.cache/mcpwarden`;
    /// - offline: `MCPWARDEN_OFFLINE=1`;
    /// - npm: `NPM_CONFIG_REGISTRY` / `npm_config_registry`, else `registry=` in `~/.npmrc`
    ///   (or `$NPM_CONFIG_USERCONFIG`), else the public registry;
    /// - PyPI: `PIP_INDEX_URL`, else `index-url` in pip's config files (`PIP_CONFIG_FILE`,
    ///   user, then global), turned from a `/simple` index into its base; else pypi.org.
    pub fn from_env() -> Config {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let home = env("HOME").map(PathBuf::from);
        let cache_dir = env("MCPWARDEN_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| env("XDG_CACHE_HOME").map(|x| PathBuf::from(x).join("mcpwarden")))
            .or_else(|| home.as_ref().map(|h| h.join(".cache").join("mcpwarden")))
            .unwrap_or_else(|| std::env::temp_dir().join("mcpwarden-cache"));
        let offline =
            env("MCPWARDEN_OFFLINE").is_some_and(|v| matches!(v.trim(), "1" | "true" | "yes"));

        let npm_registry = env("NPM_CONFIG_REGISTRY")
            .or_else(|| env("npm_config_registry"))
            .or_else(|| {
                // User config, then the global ones npm reads after it.
                let user = env("NPM_CONFIG_USERCONFIG")
                    .map(PathBuf::from)
                    .or_else(|| home.as_ref().map(|h| h.join(".npmrc")));
                let global = env("NPM_CONFIG_GLOBALCONFIG").map(PathBuf::from);
                user.into_iter()
                    .chain(global)
                    .chain(
                        ["/etc/npmrc", "/usr/etc/npmrc", "/usr/local/etc/npmrc"].map(PathBuf::from),
                    )
                    .find_map(|f| npmrc_registry(&std::fs::read_to_string(f).ok()?))
            })
            .map(|r| r.trim().trim_end_matches('/').to_string())
            .unwrap_or_else(|| DEFAULT_NPM_REGISTRY.to_string());

        let pypi_url = env("PIP_INDEX_URL")
            .or_else(|| {
                pip_conf_files(home.as_deref())
                    .iter()
                    .find_map(|f| pip_conf_index(&std::fs::read_to_string(f).ok()?))
            })
            .map(|u| index_base(&u))
            .unwrap_or_else(|| DEFAULT_PYPI_URL.to_string());

        let crates_index = env("MCPWARDEN_CRATES_INDEX")
            .map(|u| u.trim().trim_end_matches('/').to_string())
            .unwrap_or_else(|| "https://index.crates.io".to_string());
        let crates_dl = env("MCPWARDEN_CRATES_DL")
            .map(|u| u.trim().trim_end_matches('/').to_string())
            .unwrap_or_else(|| "https://static.crates.io/crates".to_string());
        Config {
            cache_dir,
            offline,
            npm_registry,
            crates_index,
            crates_dl,
            pypi_url,
            retries: 3,
            timeout: Duration::from_secs(60),
            max_archive_bytes: 256 << 20,
            max_unpacked_bytes: 1 << 30,
            max_files: 100_000,
            max_ratio: 200,
            keep_trees: false,
        }
    }
}

/// `registry=URL` from an `.npmrc` (ini-like, `;`/`#` comments, `${VAR}`
/// expanded from the environment as npm does).
pub(crate) fn npmrc_registry(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with(';') && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == "registry")
        .map(|(_, v)| expand_env(v.trim().trim_matches('"')))
        .filter(|v| !v.is_empty())
}

fn expand_env(v: &str) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(i) = rest.find("${") {
        let Some(j) = rest[i..].find('}') else { break };
        out.push_str(&rest[..i]);
        out.push_str(&std::env::var(&rest[i + 2..i + j]).unwrap_or_default());
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out
}

/// pip reads every file and the later ones win; we look in reverse order and
/// take the first with an index: `PIP_CONFIG_FILE`, user, then global.
fn pip_conf_files(home: Option<&Path>) -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Some(f) = std::env::var_os("PIP_CONFIG_FILE") {
        v.push(PathBuf::from(f));
    }
    if let Some(x) = std::env::var_os("XDG_CONFIG_HOME") {
        v.push(PathBuf::from(x).join("pip/pip.conf"));
    }
    if let Some(h) = home {
        v.push(h.join(".config/pip/pip.conf"));
        v.push(h.join(".pip/pip.conf"));
    }
    v.push(PathBuf::from("/etc/xdg/pip/pip.conf"));
    v.push(PathBuf::from("/etc/pip.conf"));
    v
}

/// `index-url` (or `index_url`) in `[global]`, `[install]` or `[download]`.
pub(crate) fn pip_conf_index(text: &str) -> Option<String> {
    let mut section = String::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if line.starts_with('[') && line.ends_with(']') {
            section = line[1..line.len() - 1].trim().to_ascii_lowercase();
            continue;
        }
        if !matches!(section.as_str(), "global" | "install" | "download") {
            continue;
        }
        if let Some((k, v)) = line.split_once('=').or_else(|| line.split_once(':')) {
            let k = k.trim().replace('_', "-");
            if k == "index-url" && !v.trim().is_empty() {
                return Some(v.trim().to_string());
            }
        }
    }
    None
}

/// `https://host/x/simple/` → `https://host/x` (the JSON API lives beside the
/// simple index on PyPI, Artifactory, Nexus and devpi-like mirrors).
pub(crate) fn index_base(u: &str) -> String {
    let t = u.trim().trim_end_matches('/');
    let t = t
        .strip_suffix("/+simple")
        .or_else(|| t.strip_suffix("/simple"))
        .unwrap_or(t);
    t.trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_user_settings() {
        assert_eq!(
            npmrc_registry("; c\nfund=false\nregistry = https://npm.example/r/ \n").as_deref(),
            Some("https://npm.example/r/")
        );
        assert_eq!(npmrc_registry("//npm.example/:_authToken=x\n"), None);
        // HOME is set in any test environment; ${UNSET} expands to nothing.
        let home = std::env::var("HOME").unwrap_or_default();
        assert_eq!(
            npmrc_registry("registry=https://${MCPWARDEN_SURELY_UNSET_VAR}n.example${HOME}/\n")
                .unwrap(),
            format!("https://n.example{home}/")
        );
        let conf =
            "[global]\ncert = /x\n\n[install]\nindex-url = https://mirror.example/pypi/simple/\n";
        assert_eq!(
            pip_conf_index(conf).as_deref(),
            Some("https://mirror.example/pypi/simple/")
        );
        assert_eq!(
            pip_conf_index("[freeze]\nindex-url=https://x/simple\n"),
            None
        );
        assert_eq!(
            index_base("https://mirror.example/pypi/simple/"),
            "https://mirror.example/pypi"
        );
        assert_eq!(index_base("https://pypi.org/simple"), "https://pypi.org");
        assert_eq!(
            index_base("https://d.example/root/pypi/+simple/"),
            "https://d.example/root/pypi"
        );
        assert_eq!(index_base("https://pypi.org/"), "https://pypi.org");
    }
}
