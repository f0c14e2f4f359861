//! Binding a manifest's placeholders at launch: `config` values come from the
//! real command line and environment, `tool-arg` paths become the roots the
//! user grants (never `/`).

use std::collections::BTreeMap;

/// What is known when a server is started.
#[derive(Clone, Debug, Default)]
pub struct Launch {
    pub home: String,
    pub tmpdir: String,
    pub cwd: String,
    /// The environment the server will be given.
    pub env: BTreeMap<String, String>,
    /// The server's own arguments (after the program or script).
    pub argv: Vec<String>,
    /// Directories the user grants for paths chosen by tool arguments.
    pub grant_fs: Vec<String>,
}

impl Launch {
    /// The current process's home, temp dir, working directory and environment.
    pub fn from_process(argv: Vec<String>, grant_fs: Vec<String>) -> Launch {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        Launch {
            home: env.get("HOME").cloned().unwrap_or_else(|| "/root".into()),
            tmpdir: env.get("TMPDIR").cloned().unwrap_or_else(|| "/tmp".into()),
            cwd: std::env::current_dir()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| "/".into()),
            env,
            argv,
            grant_fs,
        }
    }

    /// Values of a command-line placeholder: `positional` (every argument not
    /// starting with `-`), `--name`
    /// (`--name V` or `--name=V`), or an index.
    pub fn cli(&self, what: &str) -> Vec<String> {
        if what == "positional" {
            return self
                .argv
                .iter()
                .filter(|a| !a.starts_with('-'))
                .cloned()
                .collect();
        }
        if let Ok(i) = what.parse::<usize>() {
            return self.argv.get(i).cloned().into_iter().collect();
        }
        // `--root` also matches Go's single-dash `-root`.
        let short = what.strip_prefix('-').filter(|s| s.starts_with('-'));
        let spellings: Vec<&str> = std::iter::once(what).chain(short).collect();
        let mut out = vec![];
        let mut it = self.argv.iter();
        while let Some(a) = it.next() {
            for w in &spellings {
                if a == w {
                    out.extend(it.next().cloned());
                    break;
                } else if let Some(v) = a.strip_prefix(w).and_then(|r| r.strip_prefix('=')) {
                    out.push(v.to_string());
                    break;
                }
            }
        }
        out
    }
}

/// Why a value could not be bound.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unbound(pub String);

/// Expand every placeholder of `value`. A placeholder with several values
/// (`${CLI:positional}` with two roots) gives one result per value; `default`
/// is used when an environment variable or argument is not set.
pub fn expand(value: &str, launch: &Launch, default: Option<&str>) -> Result<Vec<String>, Unbound> {
    let mut results = vec![String::new()];
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let end = rest[start..]
            .find('}')
            .map(|e| start + e)
            .ok_or_else(|| Unbound(format!("unterminated placeholder in `{value}`")))?;
        let name = &rest[start + 2..end];
        let lit = &rest[..start];
        // A tool argument after a known prefix only picks a name below it:
        // `${ENV:NOTES_DIR}/${ARG:save.name}.md` is everything below the folder.
        let prefixed = results.iter().any(|r| !r.is_empty()) || !lit.is_empty();
        if name.starts_with("ARG:") && prefixed {
            return Ok(results
                .iter()
                .map(|r| {
                    let full = format!("{r}{lit}");
                    let dir = full.rfind('/').map_or("", |i| &full[..i]);
                    format!("{}/**", if dir.is_empty() { "." } else { dir })
                })
                .collect());
        }
        let options = placeholder(name, launch, default)?;
        results = results
            .iter()
            .flat_map(|r| options.iter().map(move |o| format!("{r}{lit}{o}")))
            .collect();
        rest = &rest[end + 1..];
    }
    Ok(results.into_iter().map(|r| format!("{r}{rest}")).collect())
}

fn placeholder(name: &str, launch: &Launch, default: Option<&str>) -> Result<Vec<String>, Unbound> {
    let or_default = |found: Vec<String>, what: String| {
        if !found.is_empty() {
            Ok(found)
        } else if let Some(d) = default {
            // A default may itself be `${HOME}/notes`.
            expand(d, launch, None)
        } else {
            Err(Unbound(format!("{what} is not set and has no default")))
        }
    };
    match name {
        "HOME" => Ok(vec![launch.home.clone()]),
        "TMPDIR" => Ok(vec![launch.tmpdir.clone()]),
        "CWD" => Ok(vec![launch.cwd.clone()]),
        _ if name.starts_with("ENV:") => {
            let var = &name[4..];
            let found = launch.env.get(var).cloned().into_iter().collect();
            or_default(found, format!("environment variable {var}"))
        }
        _ if name.starts_with("CLI:") => {
            let what = &name[4..];
            or_default(launch.cli(what), format!("command-line argument {what}"))
        }
        _ if name.starts_with("ARG:") => {
            if launch.grant_fs.is_empty() {
                Err(Unbound(format!(
                    "`{name}` is chosen by the model: grant the directories it may use (--grant-fs DIR)"
                )))
            } else {
                Ok(launch.grant_fs.clone())
            }
        }
        _ => Err(Unbound(format!("unknown placeholder `${{{name}}}`"))),
    }
}

/// A bound path made absolute against the working directory, with a trailing
/// `/**` (everything below) removed: what a sandbox rule names.
pub fn sandbox_path(bound: &str, cwd: &str) -> String {
    let p = bound.strip_suffix("/**").unwrap_or(bound);
    let p = if p.starts_with('/') {
        p.to_string()
    } else if p == "." || p.is_empty() {
        cwd.to_string()
    } else {
        format!(
            "{}/{}",
            cwd.trim_end_matches('/'),
            p.trim_start_matches("./")
        )
    };
    lexical_clean(&p)
}

/// `/a/./b/../c/` as `/a/c`. Sandboxes match rules against clean absolute
/// paths, and some reject the rest outright (Node 20's permission model aborts
/// on a `..` it cannot place). Lexical, so `link/..` is the link's parent as
/// written; the exporters add a path's real location beside it.
pub fn lexical_clean(abs: &str) -> String {
    let mut parts: Vec<&str> = vec![];
    for c in abs.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn launch() -> Launch {
        Launch {
            home: "/home/me".into(),
            tmpdir: "/tmp".into(),
            cwd: "/work".into(),
            env: [("NOTES_DIR".to_string(), "/data/notes".to_string())].into(),
            argv: vec![
                "--port".into(),
                "9".into(),
                "/a".into(),
                "--root=/r".into(),
                "b".into(),
            ],
            grant_fs: vec!["/granted".into()],
        }
    }

    #[test]
    fn expands_each_placeholder() {
        let l = launch();
        assert_eq!(
            expand("${HOME}/.acme/**", &l, None).unwrap(),
            ["/home/me/.acme/**"]
        );
        assert_eq!(
            expand("${ENV:NOTES_DIR}", &l, None).unwrap(),
            ["/data/notes"]
        );
        assert_eq!(expand("${ENV:MISSING}", &l, Some("/d")).unwrap(), ["/d"]);
        assert_eq!(
            expand("${ENV:MISSING}/x", &l, Some("${HOME}/n")).unwrap(),
            ["/home/me/n/x"]
        );
        assert!(expand("${ENV:MISSING}", &l, None).is_err());
        assert_eq!(expand("${CLI:--root}/x", &l, None).unwrap(), ["/r/x"]);
        assert_eq!(expand("${CLI:--port}", &l, None).unwrap(), ["9"]);
        let go = Launch {
            argv: vec!["-root".into(), "/g".into()],
            ..Launch::default()
        };
        assert_eq!(go.cli("--root"), ["/g"]);
        assert_eq!(expand("${ARG:read.path}", &l, None).unwrap(), ["/granted"]);
        assert_eq!(
            expand("${ENV:NOTES_DIR}/${ARG:save.name}.md", &l, None).unwrap(),
            ["/data/notes/**"]
        );
        assert_eq!(
            expand("/srv/docs/${ARG:d.file}", &Launch::default(), None).unwrap(),
            ["/srv/docs/**"]
        );
        assert!(expand("${ARG:read.path}", &Launch::default(), None).is_err());
        assert!(expand("${NOPE}", &l, None).is_err());
        assert!(expand("${HOME", &l, None).is_err());
    }

    #[test]
    fn sandbox_paths_are_clean_and_absolute() {
        let cwd = "/home/me/work";
        assert_eq!(sandbox_path("/a/b/../../t/deps/", cwd), "/t/deps");
        assert_eq!(sandbox_path("./x/./y/**", cwd), "/home/me/work/x/y");
        assert_eq!(sandbox_path("../up", cwd), "/home/me/up");
        assert_eq!(sandbox_path("/../..", cwd), "/");
        assert_eq!(sandbox_path(".", cwd), "/home/me/work");
    }

    #[test]
    fn positional_arguments_give_one_path_each() {
        let mut l = launch();
        l.argv = vec!["/a".into(), "b".into(), "--flag".into()];
        assert_eq!(expand("${CLI:positional}", &l, None).unwrap(), ["/a", "b"]);
        assert_eq!(sandbox_path("b", "/work"), "/work/b");
        assert_eq!(sandbox_path("/x/y/**", "/work"), "/x/y");
        assert_eq!(sandbox_path(".", "/work"), "/work");
    }
}
