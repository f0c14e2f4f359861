//! The signature catalogue: which APIs are privileged, as data.
//!
//! Rows live in `data/<family>.toml`, are embedded in the binary, and are
//! validated when loaded (unknown keys, kinds and resources are errors). A row
//! names a module (package, module or import path), one or more member paths
//! from it, a [`Kind`], and optional refinements that look at the call's
//! literal arguments. Matching a resolved reference to a row is exact on the
//! module and on the path, with a trailing `*` matching any further members.

pub use mcpwarden_model::Family;
use mcpwarden_model::{Kind, Resource};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Deserialize;
use std::collections::HashMap;

/// Pseudo-module of JavaScript runtime globals (`fetch`, `process.env`, `eval`).
pub const JS_GLOBAL: &str = "@global";
/// Pseudo-module of Python builtins (`open`, `eval`).
pub const PY_BUILTINS: &str = "builtins";

const EMBEDDED: &[(Family, &str, &str)] = &[
    (
        Family::JavaScript,
        "javascript.toml",
        include_str!("../data/javascript.toml"),
    ),
    (
        Family::Python,
        "python.toml",
        include_str!("../data/python.toml"),
    ),
    (Family::Go, "go.toml", include_str!("../data/go.toml")),
    (Family::Rust, "rust.toml", include_str!("../data/rust.toml")),
    (Family::Jvm, "java.toml", include_str!("../data/java.toml")),
    (
        Family::Jvm,
        "kotlin.toml",
        include_str!("../data/kotlin.toml"),
    ),
    (
        Family::CSharp,
        "csharp.toml",
        include_str!("../data/csharp.toml"),
    ),
];

/// The separator between a module's segments in a family's catalogue and
/// references: `/` for JavaScript specifiers and Go import paths, `.` for the
/// rest (Rust's `::` is read as `.` when rows load, and shown as `::`).
pub fn module_separator(family: Family) -> char {
    match family {
        Family::JavaScript | Family::Go => '/',
        _ => '.',
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    #[serde(default)]
    api: Vec<RowDoc>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RowDoc {
    module: OneOrMany,
    path: OneOrMany,
    kind: String,
    resource: Option<String>,
    via: Option<String>,
    value: Option<String>,
    shell_if: Option<String>,
    #[serde(default)]
    shell_if_cmd: bool,
    only_if: Option<String>,
    #[serde(default)]
    file_if: Vec<String>,
    #[serde(default)]
    network_if: Vec<String>,
    #[serde(default)]
    if_nonliteral: bool,
    if_arg_suffix: Option<String>,
    safe_if_arg_contains: Option<String>,
    write_if_mode: Option<String>,
    #[serde(default)]
    also: Vec<String>,
    #[serde(default)]
    if_value_in: Vec<String>,
    #[serde(default)]
    unless_path: Vec<String>,
    note: Option<String>,
}

/// Where to find a literal value among a call's arguments: alternatives tried in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueSource {
    /// Positional argument `n`.
    Pos(usize),
    /// Keyword argument (Python).
    Kw(String),
    /// Property of an options object argument (JavaScript).
    Opt(String),
    /// The member or subscript key right after the matched path (`process.env.HOME`).
    Key,
}

/// A condition selecting a client's mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModeIf {
    /// This keyword argument (Python) or option (JavaScript) is given: `kw:path`.
    Given(String),
    /// The row's value is a literal starting with this: `sqlite`, `file:`, `db://`.
    Prefix(String),
}

fn parse_modes(items: &[String], at: &str) -> Result<Vec<ModeIf>, CatalogError> {
    items
        .iter()
        .map(|x| match x.split_once(':') {
            Some(("kw" | "opt", name)) if !name.is_empty() => Ok(ModeIf::Given(name.to_string())),
            _ if x.starts_with("prefix:") && x.len() > "prefix:".len() => {
                Ok(ModeIf::Prefix(x["prefix:".len()..].to_string()))
            }
            _ => Err(CatalogError(format!(
                "{at}: mode condition `{x}` is neither `kw:NAME`, `opt:NAME` nor `prefix:TEXT`"
            ))),
        })
        .collect()
}

/// One catalogued API.
#[derive(Clone, Debug)]
pub struct Row {
    pub family: Family,
    pub module: String,
    /// Member path segments; `()` marks a call result; a final `*` matches any further members.
    pub path: Vec<String>,
    pub kind: Kind,
    pub resource: Resource,
    pub via: Option<String>,
    pub value: Vec<ValueSource>,
    /// Option / keyword that, when true, makes the call shell-interpreted.
    pub shell_if: Option<String>,
    /// The command is a shell (`sh -c`, `bash -c`, `cmd /c`): sys.shell.
    pub shell_if_cmd: bool,
    /// Only when this keyword / option is true (`use_readability=True`).
    pub only_if: Option<String>,
    /// A client with a file and a network mode chosen by its arguments
    /// (`QdrantClient(path=…)` / `QdrantClient(url=…)`): conditions selecting
    /// each ([`ModeIf`]). When neither holds and the value is not a constant,
    /// both modes count; a constant matching neither keeps `resource`.
    pub file_if: Vec<ModeIf>,
    pub network_if: Vec<ModeIf>,
    /// Only when the first argument is not a string literal (dynamic code loading).
    pub if_nonliteral: bool,
    /// Only when the first argument is a literal ending with this suffix.
    pub if_arg_suffix: Option<String>,
    /// Not a finding when another argument names something containing this (`Loader=SafeLoader`).
    pub safe_if_arg_contains: Option<String>,
    /// Where the open mode is: a mode with w, a, x or + makes the finding `fs.write`.
    pub write_if_mode: Vec<ValueSource>,
    /// Further kinds reported on the same call (a browser launch execs and connects).
    pub also: Vec<Kind>,
    /// Only when the value (see `value`) is one of these.
    pub if_value_in: Vec<String>,
    /// Paths this row does not cover (`*Filter`: value types of an SDK, which do no I/O).
    pub unless_path: Vec<Vec<String>>,
    pub file: &'static str,
}

impl Row {
    /// Display name of the API: `child_process.exec`, `fetch`, `pathlib.Path().read_text`.
    pub fn api(&self) -> String {
        let path =
            self.path
                .iter()
                .filter(|s| s.as_str() != "*")
                .fold(String::new(), |mut acc, s| {
                    if s == "()" {
                        acc.push_str("()");
                    } else {
                        if !acc.is_empty() {
                            acc.push('.');
                        }
                        acc.push_str(s);
                    }
                    acc
                });
        let full = if self.module == JS_GLOBAL || self.module == PY_BUILTINS {
            path
        } else if path.is_empty() {
            self.module.clone()
        } else {
            format!("{}.{}", self.module, path)
        };
        if self.family == Family::Rust {
            full.replace('.', "::")
        } else {
            full
        }
    }

    /// A row whose last segment is `*` (any further members).
    pub fn is_wildcard(&self) -> bool {
        self.path.last().map(|s| s == "*").unwrap_or(false)
    }

    /// Does this row's path match a reference path (after the module)?
    fn matches(&self, path: &[String]) -> bool {
        let seg_eq = |pat: &String, s: &String| match pat.strip_prefix('*') {
            // `*Client` matches any name ending so (`S3Client`), never a call result.
            Some(sfx) if !sfx.is_empty() => s.ends_with(sfx) && s != "()",
            // `?` is any one member.
            _ if pat == "?" => s != "()" && s != "[]",
            _ => pat == s,
        };
        let segs_eq = |pats: &[String], segs: &[String]| {
            pats.len() == segs.len() && pats.iter().zip(segs).all(|(p, s)| seg_eq(p, s))
        };
        if self.unless_path.iter().any(|u| segs_eq(u, path)) {
            return false;
        }
        if self.is_wildcard() {
            let prefix = &self.path[..self.path.len() - 1];
            path.len() >= prefix.len()
                && segs_eq(prefix, &path[..prefix.len()])
                && !path[prefix.len()..].iter().any(|s| s == "()")
        } else {
            segs_eq(&self.path, path)
        }
    }

    /// Specificity for choosing among matching rows: exact beats wildcard,
    /// longer beats shorter, a named member beats `?` / `*Suffix`.
    fn specificity(&self) -> (usize, bool, usize) {
        let named = self
            .path
            .iter()
            .filter(|s| *s != "?" && !s.starts_with('*'))
            .count();
        (self.path.len(), !self.is_wildcard(), named)
    }
}

#[derive(Debug)]
pub struct CatalogError(pub String);

impl std::fmt::Display for CatalogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CatalogError {}

/// The loaded catalogue with an index by (family, module).
#[derive(Debug)]
pub struct Catalog {
    rows: Vec<Row>,
    exact: HashMap<Family, FxHashMap<String, Vec<usize>>>,
    /// First segment of every dotted module name per family: most dotted
    /// references name nothing catalogued and are rejected on it at once.
    firsts: HashMap<Family, FxHashSet<String>>,
    /// Modules given as `prefix/*` or `prefix.*` (package scopes like `@aws-sdk/*`).
    prefixes: Vec<(Family, String, usize)>,
}

fn parse_path(p: &str) -> Vec<String> {
    let mut out = vec![];
    for seg in p.split('.').filter(|s| !s.is_empty()) {
        match seg.strip_suffix("()") {
            Some(name) => {
                if !name.is_empty() {
                    out.push(name.to_string());
                }
                out.push("()".to_string());
            }
            None => out.push(seg.to_string()),
        }
    }
    out
}

fn parse_sources(spec: &str, file: &str) -> Result<Vec<ValueSource>, CatalogError> {
    spec.split('|')
        .map(|s| {
            let s = s.trim();
            if let Ok(n) = s.parse::<usize>() {
                Ok(ValueSource::Pos(n))
            } else if let Some(k) = s.strip_prefix("kw:") {
                Ok(ValueSource::Kw(k.to_string()))
            } else if let Some(k) = s.strip_prefix("opt:") {
                Ok(ValueSource::Opt(k.to_string()))
            } else if s == "key" {
                Ok(ValueSource::Key)
            } else {
                Err(CatalogError(format!(
                    "{file}: bad value source `{s}` (use N, kw:NAME, opt:NAME or key)"
                )))
            }
        })
        .collect()
}

impl Catalog {
    /// The catalogue embedded in the binary. Panics only if the embedded data is
    /// invalid, which the test suite rules out.
    pub fn embedded() -> &'static Catalog {
        static CAT: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
        CAT.get_or_init(|| {
            let files: Vec<(Family, &'static str, String)> = EMBEDDED
                .iter()
                .map(|(f, n, t)| (*f, *n, t.to_string()))
                .collect();
            Catalog::load(&files).expect("embedded catalogue is valid")
        })
    }

    /// The embedded rows of one family only: a scan loads the catalogues of the
    /// languages it meets (each load parses TOML; a whole catalogue costs ~5 ms
    /// per process, which matters when thousands of small servers are scanned).
    pub fn embedded_for(family: Family) -> &'static Catalog {
        const FAMILIES: [Family; 6] = [
            Family::JavaScript,
            Family::Python,
            Family::Go,
            Family::Rust,
            Family::Jvm,
            Family::CSharp,
        ];
        static CATS: [std::sync::OnceLock<Catalog>; 6] = [const { std::sync::OnceLock::new() }; 6];
        let i = FAMILIES
            .iter()
            .position(|f| *f == family)
            .expect("every family is listed");
        CATS[i].get_or_init(|| {
            let files: Vec<(Family, &'static str, String)> = EMBEDDED
                .iter()
                .filter(|(f, _, _)| *f == family)
                .map(|(f, n, t)| (*f, *n, t.to_string()))
                .collect();
            Catalog::load(&files).expect("embedded catalogue is valid")
        })
    }

    /// Load and validate catalogue files.
    pub fn load(files: &[(Family, &'static str, String)]) -> Result<Catalog, CatalogError> {
        let mut rows = vec![];
        for (family, name, text) in files {
            let doc: FileDoc =
                toml::from_str(text).map_err(|e| CatalogError(format!("{name}: {e}")))?;
            for (i, r) in doc.api.into_iter().enumerate() {
                let at = format!(
                    "{name}: row {} ({:?})",
                    i + 1,
                    r.note.as_deref().unwrap_or("")
                );
                let kind = Kind::parse(&r.kind)
                    .ok_or_else(|| CatalogError(format!("{at}: unknown kind `{}`", r.kind)))?;
                let resource = match &r.resource {
                    Some(s) => Resource::parse(s)
                        .ok_or_else(|| CatalogError(format!("{at}: unknown resource `{s}`")))?,
                    None => kind.default_resource(),
                };
                let also = r
                    .also
                    .iter()
                    .map(|k| {
                        Kind::parse(k).ok_or_else(|| {
                            CatalogError(format!("{at}: unknown kind `{k}` in also"))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let value = match &r.value {
                    Some(v) if v == "none" => vec![],
                    Some(v) => parse_sources(v, name)?,
                    None => vec![ValueSource::Pos(0)],
                };
                let file_if = parse_modes(&r.file_if, &at)?;
                let network_if = parse_modes(&r.network_if, &at)?;
                let write_if_mode = match &r.write_if_mode {
                    Some(v) => parse_sources(v, name)?,
                    None => vec![],
                };
                let mut modules = r.module.into_vec();
                let mut paths = r.path.into_vec();
                if *family == Family::Rust {
                    // `std::fs` + `File::open` are stored as dotted segments like every other family.
                    for x in modules.iter_mut().chain(paths.iter_mut()) {
                        *x = x.replace("::", ".");
                    }
                }
                if modules.is_empty() || paths.is_empty() {
                    return Err(CatalogError(format!(
                        "{at}: module and path must not be empty"
                    )));
                }
                for m in &modules {
                    for p in &paths {
                        let path = parse_path(p);
                        if path
                            .iter()
                            .take(path.len().saturating_sub(1))
                            .any(|s| s == "*")
                        {
                            return Err(CatalogError(format!(
                                "{at}: `*` may only end a path (`{p}`)"
                            )));
                        }
                        rows.push(Row {
                            family: *family,
                            module: m.clone(),
                            path,
                            kind,
                            resource,
                            via: r.via.clone(),
                            value: value.clone(),
                            shell_if: r.shell_if.clone(),
                            shell_if_cmd: r.shell_if_cmd,
                            only_if: r.only_if.clone(),
                            file_if: file_if.clone(),
                            network_if: network_if.clone(),
                            if_nonliteral: r.if_nonliteral,
                            if_arg_suffix: r.if_arg_suffix.clone(),
                            safe_if_arg_contains: r.safe_if_arg_contains.clone(),
                            write_if_mode: write_if_mode.clone(),
                            also: also.clone(),
                            if_value_in: r.if_value_in.clone(),
                            unless_path: r.unless_path.iter().map(|p| parse_path(p)).collect(),
                            file: name,
                        });
                    }
                }
            }
        }
        let mut exact: HashMap<Family, FxHashMap<String, Vec<usize>>> = HashMap::new();
        let mut firsts: HashMap<Family, FxHashSet<String>> = HashMap::new();
        let mut prefixes = vec![];
        for (i, r) in rows.iter().enumerate() {
            let first = r.module.split('.').next().unwrap_or("");
            firsts
                .entry(r.family)
                .or_default()
                .insert(first.to_string());
            if let Some(p) = r
                .module
                .strip_suffix("/*")
                .or_else(|| r.module.strip_suffix(".*"))
            {
                prefixes.push((r.family, p.to_string(), i));
            } else {
                exact
                    .entry(r.family)
                    .or_default()
                    .entry(r.module.clone())
                    .or_default()
                    .push(i);
            }
        }
        Ok(Catalog {
            rows,
            exact,
            firsts,
            prefixes,
        })
    }

    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// Module names (and scope prefixes) of a family: the words a file must
    /// mention to possibly match (used by the byte prefilter and SDK detection).
    pub fn modules(&self, family: Family) -> impl Iterator<Item = &str> {
        self.rows
            .iter()
            .filter(move |r| r.family == family)
            .map(|r| r.module.as_str())
    }

    /// Matching rows, most specific first (rows with conditions may share a path:
    /// `require(x)` is dynamic code, `require("./a.node")` a native addon).
    fn matching<'a>(
        &'a self,
        ids: impl Iterator<Item = &'a usize>,
        path: &[String],
    ) -> Vec<&'a Row> {
        let mut v: Vec<&Row> = ids
            .map(|&i| &self.rows[i])
            .filter(|r| r.matches(path))
            .collect();
        v.sort_by_key(|r| std::cmp::Reverse(r.specificity()));
        v
    }

    /// Rows for `module` + `path`, most specific first. `module` is as resolved:
    /// JavaScript specifiers (with `node:` stripped) or Python dotted modules.
    pub fn candidates(&self, family: Family, module: &str, path: &[String]) -> Vec<&Row> {
        if let Some(ids) = self.exact.get(&family).and_then(|m| m.get(module)) {
            let v = self.matching(ids.iter(), path);
            if !v.is_empty() {
                return v;
            }
        }
        let sep = module_separator(family);
        let scoped = self
            .prefixes
            .iter()
            .filter(|(f, p, _)| {
                *f == family
                    && module.len() > p.len()
                    && module.starts_with(p.as_str())
                    && module[p.len()..].starts_with(sep)
            })
            .map(|(_, _, i)| i);
        self.matching(scoped, path)
    }

    /// Every row of one module (named exactly, or by a scope such as
    /// `github.com/stripe/stripe-go/*`), whatever its path: what a package
    /// offers, to tell which of its types its constructors make.
    pub fn module_rows(&self, family: Family, module: &str) -> Vec<&Row> {
        let sep = module_separator(family);
        let exact = self
            .exact
            .get(&family)
            .and_then(|m| m.get(module))
            .map(|ids| ids.as_slice())
            .unwrap_or(&[]);
        let scoped = self.prefixes.iter().filter(|(f, p, _)| {
            *f == family
                && module.len() > p.len()
                && module.starts_with(p.as_str())
                && module[p.len()..].starts_with(sep)
        });
        exact
            .iter()
            .chain(scoped.map(|(_, _, i)| i))
            .map(|&i| &self.rows[i])
            .collect()
    }

    /// The most specific row for `module` + `path`, if any.
    pub fn lookup(&self, family: Family, module: &str, path: &[String]) -> Option<&Row> {
        self.candidates(family, module, path).into_iter().next()
    }

    /// Dotted families: try every split of the dotted name into module + path,
    /// longest module first.
    pub fn candidates_dotted(&self, family: Family, segments: &[String]) -> Vec<&Row> {
        let known_first = segments
            .first()
            .map(|f| {
                self.firsts
                    .get(&family)
                    .map(|s| s.contains(f.as_str()))
                    .unwrap_or(false)
            })
            .unwrap_or(false);
        if !known_first {
            return vec![];
        }
        // The longest module candidate, joined once; shorter ones are its prefixes.
        let longest = segments
            .iter()
            .position(|x| x == "()" || x == "[]")
            .unwrap_or(segments.len());
        let mut full = String::new();
        let mut ends = Vec::with_capacity(longest);
        for seg in &segments[..longest] {
            if !full.is_empty() {
                full.push('.');
            }
            full.push_str(seg);
            ends.push(full.len());
        }
        let exact = self.exact.get(&family);
        // An exactly named module beats a scope wildcard (`google.cloud.bigquery` over `google.cloud.*`).
        for split in (1..=longest).rev() {
            if let Some(ids) = exact.and_then(|m| m.get(&full[..ends[split - 1]])) {
                let v = self.matching(ids.iter(), &segments[split..]);
                if !v.is_empty() {
                    return v;
                }
            }
        }
        for split in (1..=longest).rev() {
            let v = self.candidates(family, &full[..ends[split - 1]], &segments[split..]);
            if !v.is_empty() {
                return v;
            }
        }
        vec![]
    }

    pub fn lookup_dotted(&self, family: Family, segments: &[String]) -> Option<&Row> {
        self.candidates_dotted(family, segments).into_iter().next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn embedded_catalogue_loads_and_is_broad() {
        let c = Catalog::embedded();
        assert!(c.rows().len() > 300, "{} rows", c.rows().len());
        for k in Kind::ALL {
            assert!(
                c.rows().iter().any(|r| r.kind == *k || r.also.contains(k)),
                "no row of kind {k}"
            );
        }
    }

    #[test]
    fn lookup_is_exact_with_trailing_wildcards() {
        let c = Catalog::embedded();
        let r = c
            .lookup(Family::JavaScript, "child_process", &seg(&["exec"]))
            .unwrap();
        assert_eq!(r.kind, Kind::SysShell);
        assert!(c
            .lookup(Family::JavaScript, "child_process", &seg(&["nothing"]))
            .is_none());
        let env = c
            .lookup(
                Family::JavaScript,
                JS_GLOBAL,
                &seg(&["process", "env", "HOME"]),
            )
            .unwrap();
        assert_eq!(env.kind, Kind::SysEnv);
        assert_eq!(env.value, vec![ValueSource::Key]);
        let s3 = c
            .lookup(
                Family::JavaScript,
                "@aws-sdk/client-s3",
                &seg(&["S3Client"]),
            )
            .unwrap();
        assert_eq!(s3.via.as_deref(), Some("aws-sdk"));
        let r = c
            .lookup_dotted(Family::Python, &seg(&["os", "path", "exists"]))
            .unwrap();
        assert_eq!(r.kind, Kind::FsMeta);
        assert!(c
            .lookup_dotted(Family::Python, &seg(&["os", "path", "join"]))
            .is_none());
    }

    #[test]
    fn invalid_rows_are_rejected_with_the_file_name() {
        let bad = [(
            Family::Python,
            "bad.toml",
            "[[api]]\nmodule = \"x\"\npath = \"y\"\nkind = \"net.nope\"\n".to_string(),
        )];
        let e = Catalog::load(&bad).unwrap_err().to_string();
        assert!(e.contains("bad.toml") && e.contains("net.nope"), "{e}");
        let unknown = [(
            Family::Python,
            "u.toml",
            "[[api]]\nmodule = \"x\"\npath = \"y\"\nkind = \"net.http\"\ncolour = 1\n".to_string(),
        )];
        assert!(Catalog::load(&unknown)
            .unwrap_err()
            .to_string()
            .contains("colour"));
        let star = [(
            Family::Python,
            "s.toml",
            "[[api]]\nmodule = \"x\"\npath = \"*.y\"\nkind = \"net.http\"\n".to_string(),
        )];
        assert!(Catalog::load(&star).is_err());
    }

    #[test]
    fn api_names_read_naturally() {
        let c = Catalog::embedded();
        let r = c
            .lookup_dotted(
                Family::Python,
                &seg(&["pathlib", "Path", "()", "read_text"]),
            )
            .unwrap();
        assert_eq!(r.api(), "pathlib.Path().read_text");
        let r = c
            .lookup(Family::JavaScript, JS_GLOBAL, &seg(&["fetch"]))
            .unwrap();
        assert_eq!(r.api(), "fetch");
    }
}

/// Default endpoints of client libraries (`data/hosts.toml`).
pub mod hosts {
    use serde::Deserialize;
    use std::sync::OnceLock;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Library {
        names: Vec<String>,
        #[serde(default)]
        hosts: Vec<String>,
        #[serde(default)]
        programs: Vec<String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        library: Vec<Library>,
    }

    fn table() -> &'static [Library] {
        static T: OnceLock<Vec<Library>> = OnceLock::new();
        T.get_or_init(|| {
            let f: File = toml::from_str(include_str!("../data/hosts.toml"))
                .unwrap_or_else(|e| panic!("data/hosts.toml is invalid: {e}"));
            f.library
        })
    }

    /// A name matches a finding's `via`, or starts its `api` as the module
    /// (`openai().chat...`, `@octokit/rest.Octokit()`); `scope/*` any package of the scope.
    fn matches(name: &str, via: Option<&str>, api: &str) -> bool {
        if via == Some(name) {
            return true;
        }
        if let Some(scope) = name.strip_suffix("/*") {
            return api.starts_with(scope) && api[scope.len()..].starts_with('/');
        }
        api.strip_prefix(name)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '(', '/', ':']))
    }

    /// The `host:port` pairs the library behind a finding contacts by default.
    pub fn default_hosts(via: Option<&str>, api: &str) -> &'static [String] {
        table()
            .iter()
            .find(|l| !l.hosts.is_empty() && l.names.iter().any(|n| matches(n, via, api)))
            .map(|l| l.hosts.as_slice())
            .unwrap_or(&[])
    }

    /// The programs the library behind a finding runs for its caller.
    pub fn programs(via: Option<&str>, api: &str) -> &'static [String] {
        table()
            .iter()
            .find(|l| !l.programs.is_empty() && l.names.iter().any(|n| matches(n, via, api)))
            .map(|l| l.programs.as_slice())
            .unwrap_or(&[])
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn the_table_loads_and_matches_by_via_and_module() {
            assert_eq!(
                super::default_hosts(Some("octokit"), "x"),
                ["api.github.com:443"]
            );
            assert_eq!(
                super::default_hosts(Some("api-sdk"), "openai().chat.completions.create"),
                ["api.openai.com:443"]
            );
            assert_eq!(
                super::default_hosts(None, "@aws-sdk/client-s3.S3Client()"),
                ["*.amazonaws.com:443"]
            );
            assert!(super::default_hosts(Some("axios"), "axios.get").is_empty());
            assert!(super::default_hosts(None, "openaiish.get").is_empty());
            assert_eq!(super::programs(Some("GitPython"), "git.Repo"), ["git"]);
            assert!(super::programs(Some("octokit"), "x").is_empty());
            for l in super::table() {
                for h in &l.hosts {
                    let (_, port) = h.rsplit_once(':').expect("host:port");
                    port.parse::<u16>().expect("port");
                }
            }
        }
    }
}
