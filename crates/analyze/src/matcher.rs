//! Matching resolved references against the catalogue, with the argument
//! refinements rows ask for (shell options, open modes, literal values).

use crate::link::Target;
use mcpwarden_catalog::{Catalog, ModeIf, Row, ValueSource, JS_GLOBAL, PY_BUILTINS};
use mcpwarden_lang::{Arg, Args, Family, Ref, RefKind};
use mcpwarden_model::{Kind, Resource};

/// One catalogue hit at a reference.
#[derive(Debug, Clone)]
pub struct Hit {
    pub kind: Kind,
    pub resource: Resource,
    pub api: String,
    pub via: Option<String>,
    pub value: Option<String>,
    /// The argument the value was read from (followed by `values`); for a
    /// value named by a member (`process.env.X`), that name as a string.
    pub arg: Option<Arg>,
    /// Every argument the row names as a value (a listener's host and port).
    pub all_args: Vec<Arg>,
    /// For a method call on a client with a file and a network mode: the
    /// constructor's API, whose calls in the file tell the mode ([`settle_modes`]).
    pub instance_of: Option<String>,
}

/// Path-returning steps keep a `pathlib.Path`: `Path.home()`, `.expanduser()`,
/// `.resolve()`, `.parent`, ... collapse to `Path()` before the final method.
fn normalise_pathlib(module: &str, path: &[String]) -> Option<Vec<String>> {
    const CLASSES: &[&str] = &["Path", "PurePath", "PosixPath", "WindowsPath"];
    const STEPS: &[&str] = &[
        "()",
        "home",
        "cwd",
        "expanduser",
        "resolve",
        "absolute",
        "parent",
        "parents",
        "with_name",
        "with_suffix",
        "with_stem",
        "joinpath",
        "[]",
    ];
    if module != "pathlib" || path.len() < 3 || !CLASSES.contains(&path[0].as_str()) {
        return None;
    }
    let (last, middle) = path[1..].split_last()?;
    let last = if last == "()" { return None } else { last };
    if !middle.iter().all(|s| STEPS.contains(&s.as_str())) || !middle.contains(&"()".to_string()) {
        return None;
    }
    // `Path.home()` itself stays (sys.info); only what follows a path value is rewritten.
    if middle.len() == 1 {
        return None;
    }
    Some(vec![path[0].clone(), "()".into(), last.clone()])
}

fn candidates<'c>(
    cat: &'c Catalog,
    family: Family,
    target: &Target,
    stars: &[String],
) -> (Vec<&'c Row>, Vec<String>) {
    let dotted = |prefix: &str, sep: &str, path: &[String]| {
        cat.candidates_dotted(family, &crate::link::segments(prefix, sep, path))
    };
    match target {
        Target::External { module, path }
            if family == Family::Python && normalise_pathlib(module, path).is_some() =>
        {
            let p = normalise_pathlib(module, path).expect("checked");
            let mut segs: Vec<String> = vec![module.clone()];
            segs.extend(p.iter().cloned());
            (cat.candidates_dotted(family, &segs), p)
        }
        Target::External { module, path } => {
            let rows = match family {
                Family::JavaScript | Family::Go => cat.candidates(family, module, path),
                Family::Python | Family::Jvm | Family::CSharp => dotted(module, ".", path),
                Family::Rust => dotted(module, "::", path),
            };
            (rows, path.clone())
        }
        Target::Global { path } => match family {
            Family::JavaScript => (cat.candidates(family, JS_GLOBAL, path), path.clone()),
            Family::Python => (cat.candidates(family, PY_BUILTINS, path), path.clone()),
            // An unqualified name: through the file's wildcard imports, then the
            // language's implicit ones; a fully qualified name as written.
            Family::Jvm | Family::CSharp => {
                let implicit = crate::units::implicit_imports(family);
                let prefixes = stars
                    .iter()
                    .map(|s| s.as_str())
                    .chain(implicit.iter().copied())
                    .chain([""]);
                for p in prefixes {
                    let rows = dotted(p, ".", path);
                    if !rows.is_empty() {
                        return (rows, path.clone());
                    }
                }
                (vec![], vec![])
            }
            Family::Rust => (dotted("", "::", path), path.clone()),
            Family::Go => (vec![], vec![]),
        },
        _ => (vec![], vec![]),
    }
}

/// The API as called: the row's name, or for pattern rows (`?`, `*Client`, `*`)
/// the module and the members actually used.
fn api_name(row: &Row, module: &str, path: &[String]) -> String {
    let scoped = row.module.ends_with("/*") || row.module.ends_with(".*");
    let patterned = row
        .path
        .iter()
        .any(|p| p == "?" || (p.starts_with('*') && p.len() > 1));
    if !patterned && !scoped {
        return row.api();
    }
    if !patterned {
        // `@aws-sdk/*` rows: name the real package, then the row's fixed members.
        return row.api().replacen(&row.module, module, 1);
    }
    let mut s = if row.module == JS_GLOBAL || row.module == PY_BUILTINS {
        String::new()
    } else {
        module.to_string()
    };
    for seg in path.iter().filter(|s| s.as_str() != "default") {
        if seg == "()" {
            s.push_str("()");
        } else {
            if !s.is_empty() {
                s.push('.');
            }
            s.push_str(seg);
        }
    }
    s
}

fn render(a: &Arg) -> Option<String> {
    match a {
        Arg::Str(s) if !s.is_empty() => Some(s.clone()),
        Arg::Prefix(p) => Some(format!("{p}*")),
        Arg::Concat(_) => a
            .literal_prefix()
            .filter(|p| !p.is_empty())
            .map(|p| format!("{p}*")),
        Arg::List(items) => {
            let lits: Vec<&str> = items.iter().map_while(|x| x.as_deref()).collect();
            (!lits.is_empty()).then(|| lits.join(" "))
        }
        _ => None,
    }
}

fn source<'a>(args: &'a Args, s: &ValueSource) -> Option<&'a Arg> {
    match s {
        ValueSource::Pos(n) => args.pos.get(*n),
        ValueSource::Kw(k) => args.kw(k),
        ValueSource::Opt(k) => args.option(k),
        ValueSource::Key => None,
    }
}

/// The resources a client with a file and a network mode uses here: the
/// mode its arguments select, both when they select none and the value is
/// not a constant (chosen at startup), else (a constant matching neither, or
/// no argument) the row's own.
fn modes(row: &Row, args: &Args, value: Option<&str>) -> Vec<Resource> {
    // No argument at all is the client's default (`duckdb.connect()`: in memory).
    let given = row.value.iter().any(|s| source(args, s).is_some());
    if (row.file_if.is_empty() && row.network_if.is_empty()) || !given {
        return vec![row.resource];
    }
    let holds = |c: &ModeIf| match c {
        ModeIf::Given(k) => args.kw(k).is_some() || args.option(k).is_some(),
        ModeIf::Prefix(p) => value.is_some_and(|v| v.starts_with(p.as_str())),
    };
    let file = row.file_if.iter().any(holds);
    let network = row.network_if.iter().any(holds);
    match (file, network) {
        (true, false) => vec![Resource::File],
        (false, true) => vec![Resource::Network],
        (true, true) => vec![Resource::Network, Resource::File],
        (false, false) if value.is_some() => vec![row.resource],
        (false, false) => vec![Resource::Network, Resource::File],
    }
}

fn truthy(a: Option<&Arg>) -> bool {
    matches!(a, Some(Arg::Bool(true)) | Some(Arg::Str(_)))
}

const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "fish",
    "cmd",
    "cmd.exe",
    "powershell",
    "powershell.exe",
    "pwsh",
];

/// `sh -c "..."`, `["bash", "-c", cmd]`, `spawn("cmd", ["/c", x])`.
fn is_shell_command(args: &Args) -> bool {
    let first: Option<Vec<Option<String>>> = match args.pos.first() {
        Some(Arg::List(items)) => Some(items.clone()),
        Some(Arg::Str(s)) => {
            let mut v = vec![Some(s.clone())];
            match args.pos.get(1) {
                Some(Arg::List(rest)) => v.extend(rest.iter().cloned()),
                // Variadic programs: `exec.Command("sh", "-c", x)`, `new ProcessBuilder("bash", "-c", x)`.
                Some(Arg::Str(flag)) => v.push(Some(flag.clone())),
                _ => {}
            }
            Some(v)
        }
        _ => None,
    };
    let Some(items) = first else { return false };
    let prog = items.first().cloned().flatten().unwrap_or_default();
    let base = prog
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let flag = items.get(1).cloned().flatten().unwrap_or_default();
    // One arguments string (.NET `ProcessStartInfo("bash", "-c \"ls\"")`): its first word.
    let flag = flag.split_whitespace().next().unwrap_or("").to_string();
    SHELLS.contains(&base.as_str())
        && matches!(
            flag.as_str(),
            "-c" | "/c" | "/C" | "-Command" | "-command" | "-lc"
        )
}

/// A member read that is not called counts for values (`process.env.X`,
/// `process.platform`) and functions passed along (`promisify(fs.readFile)`),
/// not for classes named in `isinstance` checks or type positions.
fn access_counts(row: &Row, path: &[String]) -> bool {
    if row.kind == Kind::DbClient {
        return false;
    }
    let last = path
        .iter()
        .rev()
        .find(|s| s.as_str() != "()" && s.as_str() != "[]");
    // Go exports every public name capitalised (`runtime.GOOS`, `http.DefaultClient`);
    // its extractor emits no references for type positions. C# properties are
    // PascalCase too (`Environment.MachineName`).
    row.family == Family::Go
        || !last
            .map(|s| {
                s.starts_with(|c: char| c.is_ascii_uppercase())
                    && row.kind != Kind::SysEnv
                    && row.family != Family::CSharp
            })
            .unwrap_or(false)
}

/// A row naming every method of an instance (`Client().*`) does not cover
/// the ones that do no I/O: `rdb.Close()` is no use of the database.
fn lifecycle_of_instance(row: &Row, path: &[String]) -> bool {
    row.is_wildcard()
        && row.path.len() >= 2
        && row.path[row.path.len() - 2] == "()"
        && path.len() == row.path.len()
        && no_io(row.family, &path[path.len() - 1])
}

/// Apply a row to a reference; `None` when a condition rules the call out.
/// `stars`: the file's wildcard imports (JVM, C#), for unqualified names.
pub fn hits(cat: &Catalog, family: Family, r: &Ref, target: &Target, stars: &[String]) -> Vec<Hit> {
    let (rows, path) = candidates(cat, family, target, stars);
    let module = match target {
        Target::External { module, .. } => module.clone(),
        _ => String::new(),
    };
    // The most specific row whose conditions hold.
    let direct = rows
        .into_iter()
        .filter(|row| !lifecycle_of_instance(row, &path))
        .map(|row| apply(row, &module, &path, r))
        .find(|h| !h.is_empty())
        .unwrap_or_default();
    if !direct.is_empty() || r.kind == RefKind::Access {
        return direct;
    }
    instance_use(cat, family, r, target, stars)
}

/// Methods of a client that do no I/O of their own: events, lifecycle,
/// reading a body already received.
const NOT_IO: &[&str] = &[
    "on",
    "once",
    "off",
    "emit",
    "addListener",
    "removeListener",
    "removeAllListeners",
    "setTimeout",
    "setMaxListeners",
    "unref",
    "ref",
    "destroy",
    "close",
    "aclose",
    "end",
    "pipe",
    "then",
    "catch",
    "finally",
    "raise_for_status",
    "__enter__",
    "__exit__",
    "__aenter__",
    "__aexit__",
    "toString",
    "disconnect",
    "quit",
    "release",
    "dispose",
    "use",
    "kill",
    "terminate",
    "text",
    "json",
    "blob",
    "arrayBuffer",
    "formData",
    "buffer",
];

/// Client objects keep their capability: a method called on an `httpx.Client()`,
/// `axios.create()`, `new pg.Pool()` or `git.Repo()` uses it. Only clients count
/// (a class, or a known factory), not one-shot results (`fetch().json()`,
/// `spawn().on()`), and not event or lifecycle methods.
fn carried_by_instances(row: &Row, ctor: &[String], method: &str) -> bool {
    const FACTORIES: &[&str] = &[
        "create",
        "createClient",
        "createPool",
        "createCluster",
        "createTransport",
        "client",
        "resource",
        "from_env",
        "from_url",
        "connect",
        "create_engine",
        "create_async_engine",
        "create_pool",
        "launch",
        "drizzle",
        "knex",
        "neon",
        "getConnection",
        "createConnection",
        "createPoolCluster",
        "makeApiClient",
    ];
    let kind_ok = match row.kind {
        Kind::NetHttp | Kind::DbClient | Kind::SysIpc | Kind::NetConnect => true,
        // Process-driving libraries (GitPython's Repo, simple-git) exec on every call.
        Kind::SysExec => row.via.is_some(),
        _ => false,
    };
    let name = ctor
        .iter()
        .rev()
        .find(|s| s.as_str() != "()" && s.as_str() != "default")
        .map(|s| s.as_str())
        .unwrap_or("");
    // C# methods are PascalCase too: a client is a constructed type (`new HttpClient()`,
    // a field of that type, `NpgsqlDataSource.Create(..)`), not a method's result
    // (`http.GetAsync(..)` is a response), unless the method is a known factory.
    // Go capitalises every exported function: a client comes from a constructor
    // (`redis.NewClient`, `sql.Open`, `net.Dial`), not from a request or response.
    let go_client = name.starts_with("New") && !name.starts_with("NewRequest")
        || matches!(name, "Open" | "OpenDB" | "Connect" | "ConnectConfig")
        || name.starts_with("Dial");
    // googleapis: `google.gmail({…})`, `google.drive(…)` make API clients.
    let google_api = row.via.as_deref() == Some("googleapis")
        && ctor.len() == 2
        && ctor.first().is_some_and(|g| g == "google");
    let is_client = google_api
        || match row.family {
            Family::CSharp => {
                let mut lower = name.to_string();
                if let Some(c) = lower.get(..1).map(|c| c.to_ascii_lowercase()) {
                    lower.replace_range(..1, &c);
                }
                !ctor.iter().any(|s| s == "()") || FACTORIES.contains(&lower.as_str())
            }
            Family::Go => go_client || FACTORIES.contains(&name),
            _ => {
                name.starts_with(|c: char| c.is_ascii_uppercase())
                    || FACTORIES.contains(&name)
                    || (ctor.is_empty() || name.is_empty())
                        && row.path.iter().all(|p| p.is_empty() || p == "*")
            }
        };
    kind_ok && is_client && !no_io(row.family, method)
}

/// A method of a client that does no I/O (`on`, `close`; Go's and C#'s are
/// capitalised: `conn.Close()`, `client.Dispose()`).
fn no_io(family: Family, method: &str) -> bool {
    match method.chars().next() {
        Some(c) if matches!(family, Family::Go | Family::CSharp) && c.is_ascii_uppercase() => {
            NOT_IO.contains(&format!("{}{}", c.to_ascii_lowercase(), &method[1..]).as_str())
        }
        _ => NOT_IO.contains(&method),
    }
}

/// Which catalogued constructor makes values of a declared type: a field,
/// variable or parameter declared `*slack.Client`, `MongoClient` or
/// `ConnectionMultiplexer` holds what `slack.New`, `MongoClients.create` or
/// `ConnectionMultiplexer.Connect` return. `ctor` is the type as written
/// (no call in it); the answer is the row and the type's display name.
///
/// A type is made by a row of its own package when the row constructs it by
/// name (Go `NewT`; a static factory `T.create`, `Ts.create`), or, for a Go
/// SDK whose constructor is `New` / `NewClient`, when the type is the
/// package's client (`Client`, `*Client`). Value types of the same package
/// (`slack.User`, `slack.RateLimitedError`) are made by no constructor.
fn made_by_constructor<'c>(
    cat: &'c Catalog,
    family: Family,
    module: &str,
    ctor: &[String],
) -> Option<(&'c Row, String)> {
    if ctor.is_empty() || ctor.iter().any(|s| s == "()" || s == "[]") {
        return None;
    }
    let (pkg, ty) = match family {
        Family::Go if ctor.len() == 1 => (module.to_string(), ctor[0].as_str()),
        Family::Jvm | Family::CSharp => {
            let mut segs: Vec<&str> = module.split('.').filter(|s| !s.is_empty()).collect();
            segs.extend(ctor.iter().map(|s| s.as_str()));
            let (ty, pkg) = segs.split_last()?;
            (pkg.join("."), *ty)
        }
        _ => return None,
    };
    if pkg.is_empty() || !ty.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    // .NET injects a client by its interface (`IConnectionMultiplexer`).
    let ty = match ty.strip_prefix('I') {
        Some(t) if family == Family::CSharp && t.starts_with(|c: char| c.is_ascii_uppercase()) => t,
        _ => ty,
    };
    let makes = |row: &Row| -> bool {
        if row.path.iter().any(|p| p == "()" || p == "*" || p == "?") {
            return false;
        }
        let p: Vec<&str> = row.path.iter().map(|s| s.as_str()).collect();
        match family {
            Family::Go => match p.as_slice() {
                [f] => {
                    f.strip_prefix("New") == Some(ty)
                        || ty.ends_with("Client")
                            && (f.starts_with("New") || matches!(*f, "Open" | "Connect"))
                }
                _ => false,
            },
            _ => match p.as_slice() {
                [class, _factory] => *class == ty || class.strip_suffix('s') == Some(ty),
                _ => false,
            },
        }
    };
    let row = cat
        .module_rows(family, &pkg)
        .into_iter()
        .find(|row| makes(row) && carried_by_instances(row, &row.path, ""))?;
    Some((row, format!("{pkg}.{ty}")))
}

/// A method call on the result of a catalogued constructor or factory.
fn instance_use(
    cat: &Catalog,
    family: Family,
    r: &Ref,
    target: &Target,
    stars: &[String],
) -> Vec<Hit> {
    let (module, path) = match target {
        Target::External { module, path } => (Some(module), path),
        Target::Global { path } => (None, path),
        _ => return vec![],
    };
    // The last call result followed by at least one member: `Session()` + `.get`.
    let Some(cut) = path.iter().rposition(|s| s == "()") else {
        return vec![];
    };
    if cut + 1 >= path.len() {
        return vec![];
    }
    let ctor = &path[..cut];
    let ctor_target = match module {
        Some(m) => Target::External {
            module: m.clone(),
            path: ctor.to_vec(),
        },
        None => Target::Global {
            path: ctor.to_vec(),
        },
    };
    let (rows, _) = candidates(cat, family, &ctor_target, stars);
    let rest: Vec<&str> = path[cut + 1..]
        .iter()
        .map(|s| s.as_str())
        .filter(|s| *s != "()")
        .collect();
    let method = rest.last().copied().unwrap_or("");
    let found = match rows
        .into_iter()
        .find(|row| carried_by_instances(row, ctor, method))
    {
        Some(row) => Some((
            row,
            api_name(row, module.map(|m| m.as_str()).unwrap_or(""), ctor),
        )),
        // A value of a declared type (`api *slack.Client`): the constructor that makes it.
        None => match module {
            Some(m) => made_by_constructor(cat, family, m, ctor),
            // An unqualified type through the file's wildcard imports (`using StackExchange.Redis;`).
            None if matches!(family, Family::Jvm | Family::CSharp) => stars
                .iter()
                .map(|s| s.as_str())
                .chain(crate::units::implicit_imports(family).iter().copied())
                .find_map(|p| made_by_constructor(cat, family, p, ctor)),
            None => None,
        }
        .filter(|(row, _)| !no_io(row.family, method)),
    };
    let Some((row, ctor_name)) = found else {
        return vec![];
    };
    let api = format!("{}().{}", ctor_name, rest.join("."));
    // A method's first argument is its target (`session.get(url)`), unless
    // the class names none (`value = "none"`: an SDK client whose host is
    // its own, `notion.pages.create(payload)`).
    let arg = r.args.pos.first().filter(|_| !row.value.is_empty());
    // A client with two modes: which one this instance was made in is not
    // known at its method call, so both count.
    let dual = !row.file_if.is_empty() || !row.network_if.is_empty();
    let resources = if dual {
        vec![Resource::Network, Resource::File]
    } else {
        vec![row.resource]
    };
    let instance_of = dual.then(|| api_name(row, module.map(|m| m.as_str()).unwrap_or(""), ctor));
    resources
        .into_iter()
        .map(|resource| Hit {
            kind: row.kind,
            resource,
            api: api.clone(),
            via: row.via.clone(),
            value: arg.and_then(render),
            arg: arg.cloned(),
            all_args: vec![],
            instance_of: instance_of.clone(),
        })
        .collect()
}

/// A method call on a client with two modes counts the modes its
/// constructions were made in (`QdrantClient(url=…)` then `client.search()`:
/// network only): those in the same function (`scope`), else in the file;
/// both when there are none.
pub fn settle_modes<T>(hits: &mut Vec<(T, Hit)>, scope: impl Fn(&T) -> Option<u32>) {
    let made: Vec<(String, Option<u32>, Resource)> = hits
        .iter()
        .filter(|(_, h)| h.instance_of.is_none())
        .map(|(t, h)| (h.api.clone(), scope(t), h.resource))
        .collect();
    hits.retain(|(t, h)| {
        let Some(ctor) = &h.instance_of else {
            return true;
        };
        let of_ctor = || made.iter().filter(|(a, _, _)| a == ctor);
        let here: Vec<Resource> = of_ctor()
            .filter(|(_, d, _)| *d == scope(t))
            .map(|m| m.2)
            .collect();
        let modes: Vec<Resource> = if here.is_empty() {
            of_ctor().map(|m| m.2).collect()
        } else {
            here
        };
        modes.is_empty() || modes.contains(&h.resource)
    });
}

fn apply(row: &Row, module: &str, path: &[String], r: &Ref) -> Vec<Hit> {
    if r.kind == RefKind::Access && !access_counts(row, path) {
        return vec![];
    }
    let args = &r.args;
    if !conditions_hold(row, args) {
        return vec![];
    }
    let cmd_args = command_args(row, args);
    let sources = value_sources(row, path, r);
    let value = command_value(sources.iter().find_map(render), row.kind, &cmd_args);
    let value_arg = sources
        .iter()
        .find(|a| render(a).is_some())
        .or(sources.first())
        .cloned();
    if !row.if_value_in.is_empty() && !value.as_ref().is_some_and(|v| row.if_value_in.contains(v)) {
        return vec![];
    }
    let kind = refined_kind(row, args, &cmd_args);
    let api = api_name(row, module, path);
    let resources = if kind == row.kind {
        modes(row, args, value.as_deref())
    } else {
        vec![kind.default_resource()]
    };
    let hit = |kind: Kind, resource: Resource| Hit {
        kind,
        resource,
        api: api.clone(),
        via: row.via.clone(),
        value: value.clone(),
        arg: value_arg.clone(),
        all_args: sources.clone(),
        instance_of: None,
    };
    let mut out: Vec<Hit> = resources.into_iter().map(|r| hit(kind, r)).collect();
    out.extend(row.also.iter().map(|k| hit(*k, k.default_resource())));
    out
}

/// The row's conditions on the call's arguments: `only_if`, `if_nonliteral`,
/// `if_arg_suffix`, `safe_if_arg_contains`.
fn conditions_hold(row: &Row, args: &Args) -> bool {
    let arg0 = args.pos.first();
    if let Some(opt) = &row.only_if {
        if !truthy(args.kw(opt)) && !truthy(args.option(opt)) {
            return false;
        }
    }
    if row.if_nonliteral && matches!(arg0, Some(Arg::Str(_)) | None) {
        return false;
    }
    if let Some(sfx) = &row.if_arg_suffix {
        if !matches!(arg0, Some(Arg::Str(s)) if s.ends_with(sfx.as_str())) {
            return false;
        }
    }
    if let Some(safe) = &row.safe_if_arg_contains {
        let named = |a: &Arg| match a {
            Arg::Path(c) => c.last_name().is_some_and(|n| n.contains(safe.as_str())),
            Arg::Str(s) => s.contains(safe.as_str()),
            _ => false,
        };
        if args.pos.iter().skip(1).any(named) || args.kw.iter().any(|(_, a)| named(a)) {
            return false;
        }
    }
    true
}

/// The arguments from the command on: a command after leading arguments
/// (`exec.CommandContext(ctx, "sh", "-c", x)`) starts at the value's position.
fn command_args<'a>(row: &Row, args: &'a Args) -> std::borrow::Cow<'a, Args> {
    match row.value.first() {
        Some(ValueSource::Pos(n)) if row.shell_if_cmd && *n > 0 && args.pos.len() > *n => {
            std::borrow::Cow::Owned(Args {
                pos: args.pos[*n..].to_vec(),
                kw: vec![],
            })
        }
        _ => std::borrow::Cow::Borrowed(args),
    }
}

/// The arguments the row names as its value, in order (`Key`: the member
/// or subscript after the matched path).
fn value_sources(row: &Row, path: &[String], r: &Ref) -> Vec<Arg> {
    row.value
        .iter()
        .filter_map(|s| match s {
            ValueSource::Key => {
                let fixed = row.path.iter().filter(|p| p.as_str() != "*").count();
                path.get(fixed)
                    .filter(|k| k.as_str() != "[]" && k.as_str() != "()")
                    .cloned()
                    .or_else(|| r.key.clone())
                    .map(Arg::Str)
            }
            other => source(&r.args, other).cloned(),
        })
        .collect()
}

/// A command's value is the program and its literal arguments
/// (`spawn("git", ["status"])`, variadic `exec.Command("git", "status")`).
fn command_value(value: Option<String>, kind: Kind, cmd_args: &Args) -> Option<String> {
    let exec = matches!(kind, Kind::SysExec | Kind::SysShell);
    match (value, cmd_args.pos.first(), cmd_args.pos.get(1)) {
        (Some(v), Some(Arg::Str(_)), Some(Arg::List(items))) if exec => {
            let lits: Vec<&str> = items.iter().map_while(|x| x.as_deref()).collect();
            Some(if lits.is_empty() {
                v
            } else {
                format!("{v} {}", lits.join(" "))
            })
        }
        (Some(v), Some(Arg::Str(first)), Some(Arg::Str(_))) if exec && v == *first => {
            let lits: Vec<&str> = cmd_args.pos.iter().map_while(|a| a.as_str()).collect();
            Some(lits.join(" "))
        }
        (v, ..) => v,
    }
}

/// The kind the arguments make it: a shell (`shell=True`, `sh -c`), a write
/// (an open mode with w, a, x or +).
fn refined_kind(row: &Row, args: &Args, cmd_args: &Args) -> Kind {
    let mut kind = row.kind;
    if let Some(opt) = &row.shell_if {
        if truthy(args.kw(opt)) || truthy(args.option(opt)) {
            kind = Kind::SysShell;
        }
    }
    if row.shell_if_cmd && is_shell_command(cmd_args) {
        kind = Kind::SysShell;
    }
    let mode = row
        .write_if_mode
        .iter()
        .find_map(|s| source(args, s).and_then(|a| a.as_str()));
    if mode.is_some_and(|m| m.contains(['w', 'a', 'x', '+'])) {
        kind = Kind::FsWrite;
    }
    kind
}
