//! What a server command line names: the interpreter, the script, the
//! server's own arguments, and the package directory the server lives in.
//! Used to bind `${CLI:...}` placeholders, to give the sandbox the server's
//! own files, and (`--derive`) to find the package to derive a manifest from.

use std::path::{Path, PathBuf};

/// Interpreters whose first non-option argument is the server's script.
const INTERPRETERS: &[&str] = &[
    "node", "nodejs", "python", "python3", "deno", "bun", "tsx", "ts-node",
];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerCommand {
    /// The program as given (`node`, `./server.py`).
    pub program: String,
    /// The script run by an interpreter, when there is one.
    pub script: Option<PathBuf>,
    /// The server's own arguments (after the program or script).
    pub server_args: Vec<String>,
}

pub fn parse_command(cmd: &[String]) -> ServerCommand {
    let program = cmd.first().cloned().unwrap_or_default();
    let base = Path::new(&program)
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("");
    let is_interp = INTERPRETERS
        .iter()
        .any(|i| base == *i || (base.starts_with("python3.") && *i == "python3"));
    if !is_interp {
        return ServerCommand {
            program,
            script: None,
            server_args: cmd.iter().skip(1).cloned().collect(),
        };
    }
    let mut rest = cmd.iter().skip(1);
    let mut script = None;
    for a in rest.by_ref() {
        if a == "-m" || a == "-c" {
            break; // module or inline code: no script file
        }
        if !a.starts_with('-') {
            script = Some(PathBuf::from(a));
            break;
        }
    }
    ServerCommand {
        program,
        script,
        server_args: rest.cloned().collect(),
    }
}

/// Find a program the way `execvp` would, in `path` (a `PATH` value). The
/// path is absolute but links are not resolved: a virtualenv's `bin/python`
/// finds its environment from the path it was started by.
pub fn which(program: &str, path: &str) -> Option<PathBuf> {
    if program.contains('/') {
        let p = std::env::current_dir().ok()?.join(program);
        return is_executable(&p).then_some(p);
    }
    path.split(':')
        .filter(|d| !d.is_empty())
        .map(|d| Path::new(d).join(program))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The package directory of a script: the nearest ancestor holding a
/// package manifest (`package.json`, `pyproject.toml`, `setup.py`), else the
/// script's own directory. For `node_modules/.bin/X` the link is followed first.
pub fn package_dir(script: &Path) -> Option<PathBuf> {
    let real = std::fs::canonicalize(script).ok()?;
    let start = if real.is_dir() {
        real.clone()
    } else {
        real.parent()?.to_path_buf()
    };
    let mut cur = Some(start.as_path());
    while let Some(d) = cur {
        if ["package.json", "pyproject.toml", "setup.py"]
            .iter()
            .any(|f| d.join(f).is_file())
        {
            return Some(d.to_path_buf());
        }
        cur = d.parent();
    }
    Some(start)
}

/// The server's package for `--derive`: a script or directory, `npx PKG`
/// (looked up under `node_modules` from the working directory up), or
/// `uvx PKG` (not installed where mcpwarden can see it: an error).
pub fn locate_package(cmd: &[String], cwd: &Path) -> Result<PathBuf, String> {
    let sc = parse_command(cmd);
    let base = Path::new(&sc.program)
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("");
    let first_arg = cmd.iter().skip(1).find(|a| !a.starts_with('-'));
    match base {
        "npx" => {
            let pkg = first_arg.ok_or("npx: no package named")?;
            let name = strip_version(pkg);
            cwd.ancestors()
                .map(|d| d.join("node_modules").join(name))
                .find(|p| p.join("package.json").is_file())
                .ok_or_else(|| format!("npx {pkg}: not installed under node_modules in {} or above; install it first", cwd.display()))
        }
        "uvx" | "pipx" => Err(format!("{base}: packages it runs live in its own cache; point mcpwarden at the package directory instead")),
        _ => {
            let target = sc.script.unwrap_or_else(|| PathBuf::from(&sc.program));
            let target = if target.is_relative() && !target.exists() {
                which(&sc.program, &std::env::var("PATH").unwrap_or_default()).ok_or_else(|| format!("{}: not found", sc.program))?
            } else {
                cwd.join(target)
            };
            package_dir(&target).ok_or_else(|| format!("{}: not found", target.display()))
        }
    }
}

fn strip_version(pkg: &str) -> &str {
    // `@scope/name@1.2.3` and `name@1.2.3`: the version is after the last `@` past the first character.
    match pkg[1..].rfind('@') {
        Some(i) => &pkg[..i + 1],
        None => pkg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn splits_interpreter_script_and_arguments() {
        let c = parse_command(&s(&[
            "node",
            "--max-old-space-size=100",
            "dist/index.js",
            "/root",
            "-v",
        ]));
        assert_eq!(c.script, Some(PathBuf::from("dist/index.js")));
        assert_eq!(c.server_args, s(&["/root", "-v"]));
        let c = parse_command(&s(&["/usr/bin/python3.12", "server.py", "--port", "9"]));
        assert_eq!(c.server_args, s(&["--port", "9"]));
        let c = parse_command(&s(&["./srv", "a"]));
        assert_eq!((c.script, c.server_args), (None, s(&["a"])));
        assert_eq!(strip_version("@scope/x@1.2"), "@scope/x");
        assert_eq!(strip_version("x"), "x");
    }
}
