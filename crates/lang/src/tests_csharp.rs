//! Extraction tests for csharp (see tests.rs for the conventions).

use super::*;

fn facts(src: &str) -> FileFacts {
    extract(Lang::CSharp, src.as_bytes()).expect("parses")
}

fn p(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn global(v: &[&str]) -> Callee {
    Callee::Global { path: p(v) }
}

/// The first reference on a line (1-based) whose callee path ends with `last`.
fn ref_at<'a>(f: &'a FileFacts, line: u32, last: &str) -> &'a Ref {
    f.refs
        .iter()
        .find(|r| r.line == line && r.callee.last_name() == Some(last))
        .unwrap_or_else(|| panic!("no ref `{last}` on line {line}: {:#?}", f.refs))
}

fn def_named(f: &FileFacts, name: &str) -> DefId {
    f.defs
        .iter()
        .position(|d| d.name == name)
        .unwrap_or_else(|| panic!("no def {name}")) as DefId
}

#[test]
fn usings_namespaces_and_unqualified_names() {
    let f = facts(
        r#"using System.IO;
using static System.IO.File;
using Proc = System.Diagnostics.Process;
global using System.Net.Http;
namespace Acme.Tools;
public static class Files {
    public static string Read(string path) => File.ReadAllText(path);
    public static void Run() { Proc.Start("ls"); ReadAllBytes("x"); }
}
"#,
    );
    assert_eq!(
        f.imports,
        p(&[
            "System.IO",
            "System.IO.File",
            "System.Diagnostics.Process",
            "System.Net.Http"
        ])
    );
    assert_eq!(
        f.star_imports,
        p(&["System.IO", "System.IO.File", "System.Net.Http"])
    );
    assert_eq!(f.package.as_deref(), Some("Acme.Tools"));
    assert_eq!(
        ref_at(&f, 7, "ReadAllText").callee,
        global(&["File", "ReadAllText"])
    );
    assert_eq!(
        ref_at(&f, 8, "Start").callee,
        Callee::Import {
            module: "System.Diagnostics".into(),
            path: p(&["Process", "Start"])
        }
    );
    assert_eq!(
        ref_at(&f, 8, "ReadAllBytes").callee,
        global(&["ReadAllBytes"])
    );
    // Top-level types are exported; methods have their class as parent.
    let files = def_named(&f, "Files");
    assert!(f.exports.iter().any(|e| matches!(e,
        Export::Local { name, target: Callee::Def { def, .. } } if name == "Files" && *def == files)));
    assert_eq!(f.defs[def_named(&f, "Read") as usize].parent, Some(files));
    assert_eq!(f.defs[def_named(&f, "Read") as usize].params, p(&["path"]));
}

#[test]
fn block_namespaces_nest() {
    let f = facts("namespace A { namespace B { class C {} } }");
    assert_eq!(f.package.as_deref(), Some("A.B"));
}

#[test]
fn instances_from_constructions_declared_types_and_calls() {
    let f = facts(
        r#"class T {
    async Task M(string url, HttpClient injected) {
        var c = new HttpClient();
        await c.GetAsync(url);
        HttpClient typed = Make();
        typed.PostAsync(url, null);
        injected.SendAsync(null);
        var src = NpgsqlDataSource.Create("x");
        src.CreateCommand("q");
        WebClient wc = new();
        wc.DownloadString(url);
    }
}
"#,
    );
    assert_eq!(
        ref_at(&f, 4, "GetAsync").callee,
        global(&["HttpClient", "()", "GetAsync"])
    );
    assert_eq!(
        ref_at(&f, 6, "PostAsync").callee,
        global(&["HttpClient", "()", "PostAsync"])
    );
    assert_eq!(
        ref_at(&f, 7, "SendAsync").callee,
        global(&["HttpClient", "()", "SendAsync"])
    );
    assert_eq!(
        ref_at(&f, 9, "CreateCommand").callee,
        global(&["NpgsqlDataSource", "Create", "()", "CreateCommand"])
    );
    assert_eq!(
        ref_at(&f, 11, "DownloadString").callee,
        global(&["WebClient", "()", "DownloadString"])
    );
    // `new()` names the declared type.
    let n = f
        .refs
        .iter()
        .find(|r| r.line == 10 && r.kind == RefKind::New)
        .unwrap();
    assert_eq!(n.callee, global(&["WebClient"]));
    // `new HttpClient()` itself is a construction.
    let n = f
        .refs
        .iter()
        .find(|r| r.line == 3 && r.kind == RefKind::New)
        .unwrap();
    assert_eq!(n.callee, global(&["HttpClient"]));
}

#[test]
fn fields_properties_and_primary_constructors_are_self_members() {
    let f = facts(
        r#"public sealed class Weather(HttpClient client) {
    private readonly HttpClient _http;
    public IDb Db { get; } = new SqlConnection("x");
    public const string Name = "weather";
    public Weather(IHttpClientFactory f) : this(f.CreateClient()) { _http = f.CreateClient(); }
    public Task<string> A(string u) => client.GetStringAsync(u);
    public Task<string> B(string u) => _http.GetStringAsync(u);
    public Task<string> C(string u) => this._http.GetStringAsync(u);
    public void D() { Helper(); Db.Open(); }
    private void Helper() {}
}
"#,
    );
    let class = def_named(&f, "Weather");
    let field = |name: &str| {
        f.fields
            .iter()
            .find(|x| x.name == name && x.class == class)
            .map(|x| x.value.clone())
    };
    assert_eq!(field("client"), Some(global(&["HttpClient", "()"])));
    assert_eq!(field("_http"), Some(global(&["HttpClient", "()"])));
    // The constructed class beats the declared interface.
    assert_eq!(field("Db"), Some(global(&["SqlConnection", "()"])));
    assert!(f
        .consts
        .contains(&("Weather.Name".to_string(), "weather".to_string())));
    let selfm = |v: &[&str]| Callee::SelfMember {
        class: Some(class),
        path: p(v),
    };
    assert_eq!(
        ref_at(&f, 6, "GetStringAsync").callee,
        selfm(&["client", "GetStringAsync"])
    );
    assert_eq!(
        ref_at(&f, 7, "GetStringAsync").callee,
        selfm(&["_http", "GetStringAsync"])
    );
    assert_eq!(
        ref_at(&f, 8, "GetStringAsync").callee,
        selfm(&["_http", "GetStringAsync"])
    );
    assert_eq!(ref_at(&f, 9, "Helper").callee, selfm(&["Helper"]));
    assert_eq!(ref_at(&f, 9, "Open").callee, selfm(&["Db", "Open"]));
    // Constructors are methods named `constructor`.
    let ctor = def_named(&f, "constructor");
    assert_eq!(f.defs[ctor as usize].parent, Some(class));
    assert_eq!(f.defs[ctor as usize].kind, DefKind::Method);
}

#[test]
fn attributes_decorate_their_definition() {
    let f = facts(
        r#"using ModelContextProtocol.Server;
using System.Runtime.InteropServices;
[McpServerToolType]
public static class Tools : Base, ITools {
    [McpServerTool(Name = "run_command", Destructive = true), Description("Runs")]
    public static string Run([Description("cmd")] string cmd) => cmd;
    [McpServerToolAttribute]
    public static string Echo(string s) => s;
    [DllImport("libc", EntryPoint = "getpid")]
    static extern int GetPid();
}
"#,
    );
    let tools = def_named(&f, "Tools");
    assert_eq!(
        f.defs[tools as usize].bases,
        vec![global(&["Base"]), global(&["ITools"])]
    );
    let a = ref_at(&f, 3, "McpServerToolType");
    assert_eq!(a.decorates, Some(tools));
    let run = def_named(&f, "Run");
    let t = ref_at(&f, 5, "McpServerTool");
    assert_eq!(t.kind, RefKind::Call);
    assert_eq!(t.decorates, Some(run));
    assert_eq!(t.args.kw("Name"), Some(&Arg::Str("run_command".into())));
    assert_eq!(t.args.kw("Destructive"), Some(&Arg::Bool(true)));
    assert_eq!(
        ref_at(&f, 5, "Description").args.pos,
        vec![Arg::Str("Runs".into())]
    );
    // Parameter attributes do not decorate the method.
    assert!(f.refs.iter().all(|r| r.line != 6 || r.decorates.is_none()));
    // The `Attribute` suffix is dropped.
    assert_eq!(
        ref_at(&f, 7, "McpServerTool").decorates,
        Some(def_named(&f, "Echo"))
    );
    let d = ref_at(&f, 9, "DllImport");
    let pid = def_named(&f, "GetPid");
    assert_eq!(d.decorates, Some(pid));
    assert_eq!(d.in_def, Some(pid));
    assert_eq!(d.args.pos, vec![Arg::Str("libc".into())]);
}

#[test]
fn arguments_in_every_form() {
    let f = facts(
        r##"class T {
    void M(string dir, string cmd) {
        Run("plain", @"C:\verbatim ""q""", """raw text""", $"ls {dir}", "pre" + dir, $"{cmd}");
        Run(name: "x", flag: true, n: 3);
        Run(x => x + 1, Helper, Console.WriteLine);
        Run(new Tool { Name = "search", Limit = 5 }, new { Name = "anon" });
        var tool = MakeTool("t1");
        Register(tool, new[] { "a", "b" });
        Register(new ProcessStartInfo("bash", "-c ls"));
        const string Fixed = "fixed";
        Run(Fixed);
    }
    void Helper() {}
}
"##,
    );
    let a = &ref_at(&f, 3, "Run").args.pos;
    assert_eq!(a[0], Arg::Str("plain".into()));
    assert_eq!(a[1], Arg::Str("C:\\verbatim \"q\"".into()));
    assert_eq!(a[2], Arg::Str("raw text".into()));
    assert_eq!(a[3], Arg::Prefix("ls ".into()));
    assert_eq!(a[4], Arg::Prefix("pre".into()));
    assert_eq!(a[5], Arg::Other);
    let k = &ref_at(&f, 4, "Run").args;
    assert_eq!(k.kw("name"), Some(&Arg::Str("x".into())));
    assert_eq!(k.kw("flag"), Some(&Arg::Bool(true)));
    assert_eq!(k.kw("n"), Some(&Arg::Num));
    let l = &ref_at(&f, 5, "Run").args.pos;
    assert!(matches!(l[0], Arg::Func(d) if f.defs[d as usize].kind == DefKind::Anonymous));
    let t = def_named(&f, "T");
    assert_eq!(
        l[1],
        Arg::Path(Callee::SelfMember {
            class: Some(t),
            path: p(&["Helper"])
        })
    );
    assert_eq!(l[2], Arg::Path(global(&["Console", "WriteLine"])));
    let o = &ref_at(&f, 6, "Run").args.pos;
    assert_eq!(
        o[0],
        Arg::Call(
            global(&["Tool"]),
            vec![Arg::Obj(vec![
                ("Name".into(), Arg::Str("search".into())),
                ("Limit".into(), Arg::Num)
            ])]
        )
    );
    assert_eq!(
        o[1],
        Arg::Obj(vec![("Name".into(), Arg::Str("anon".into()))])
    );
    let r = &ref_at(&f, 8, "Register").args.pos;
    assert_eq!(
        r[0],
        Arg::Call(global(&["MakeTool"]), vec![Arg::Str("t1".into())])
    );
    assert_eq!(r[1], Arg::List(vec![Some("a".into()), Some("b".into())]));
    let r = &ref_at(&f, 9, "Register").args.pos;
    assert_eq!(
        r[0],
        Arg::Call(
            global(&["ProcessStartInfo"]),
            vec![Arg::Str("bash".into()), Arg::Str("-c ls".into())]
        )
    );
    assert_eq!(
        ref_at(&f, 11, "Run").args.pos,
        vec![Arg::Str("fixed".into())]
    );
}

#[test]
fn object_initializers_are_obj_args_of_the_construction() {
    let f = facts(
        r#"class T { void M(string c) {
    var psi = new ProcessStartInfo { FileName = "bash", Arguments = $"-c {c}" };
} }"#,
    );
    let n = f.refs.iter().find(|r| r.kind == RefKind::New).unwrap();
    assert_eq!(n.callee, global(&["ProcessStartInfo"]));
    assert_eq!(n.args.option("FileName"), Some(&Arg::Str("bash".into())));
    assert_eq!(n.args.option("Arguments"), Some(&Arg::Prefix("-c ".into())));
}

#[test]
fn switch_and_if_labels() {
    let f = facts(
        r#"class D {
    const string Stop = "stop";
    void Handle(string name) {
        switch (name) {
            case "list":
            case "ls":
                Directory.GetFiles(".");
                break;
            case Stop:
                Environment.Exit(0);
                break;
            default:
                Other();
                break;
        }
        var x = name switch { "read" => File.ReadAllText("a"), _ => "" };
        if (name == "run") Process.Start("ls");
        else if (name.Equals("env")) Environment.GetEnvironmentVariable("X");
    }
}
"#,
    );
    assert_eq!(ref_at(&f, 7, "GetFiles").labels, p(&["list", "ls"]));
    assert_eq!(ref_at(&f, 10, "Exit").labels, p(&["stop"]));
    assert!(ref_at(&f, 13, "Other").labels.is_empty());
    assert_eq!(ref_at(&f, 16, "ReadAllText").labels, p(&["read"]));
    assert_eq!(ref_at(&f, 17, "Start").labels, p(&["run"]));
    assert_eq!(ref_at(&f, 18, "GetEnvironmentVariable").labels, p(&["env"]));
}

#[test]
fn top_level_statements_are_module_level() {
    let f = facts(
        r#"using ModelContextProtocol.Server;
var port = Environment.GetEnvironmentVariable("PORT");
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddMcpServer().WithStdioServerTransport().WithToolsFromAssembly();
await builder.Build().RunAsync();
static void Local() { File.Delete("x"); }
"#,
    );
    let env = ref_at(&f, 2, "GetEnvironmentVariable");
    assert_eq!(env.in_def, None);
    assert_eq!(env.args.pos, vec![Arg::Str("PORT".into())]);
    assert_eq!(
        ref_at(&f, 5, "RunAsync").callee,
        global(&[
            "Host",
            "CreateApplicationBuilder",
            "()",
            "Build",
            "()",
            "RunAsync"
        ])
    );
    let local = def_named(&f, "Local");
    assert_eq!(ref_at(&f, 6, "Delete").in_def, Some(local));
    assert_eq!(f.defs[local as usize].kind, DefKind::Function);
}

#[test]
fn property_reads_and_unsafe_code() {
    let f = facts(
        r#"unsafe class P {
    string M() { return Environment.MachineName + Environment.OSVersion.ToString(); }
    unsafe int N(byte[] b) { fixed (byte* p = b) { return p[0]; } }
    void O() { unsafe { int* q = null; } var s = nameof(File.ReadAllText); }
}
"#,
    );
    let access: Vec<&Callee> = f
        .refs
        .iter()
        .filter(|r| r.line == 2 && r.kind == RefKind::Access)
        .map(|r| &r.callee)
        .collect();
    assert!(access.contains(&&global(&["Environment", "MachineName"])));
    assert!(access.contains(&&global(&["Environment", "OSVersion"])));
    let unsafe_lines: Vec<u32> = f
        .refs
        .iter()
        .filter(|r| matches!(&r.callee, Callee::Import { module, path } if module == "csharp" && path == &p(&["unsafe"])))
        .map(|r| r.line)
        .collect();
    assert_eq!(unsafe_lines, vec![1, 3, 4]);
    // `nameof(...)` reads nothing.
    assert!(f
        .refs
        .iter()
        .all(|r| r.callee.last_name() != Some("ReadAllText")));
}

#[test]
fn malformed_code_does_not_panic() {
    for src in [
        "class { void ( { new ; } }",
        "using ; namespace ; [McpServerTool(Name = ] public static",
        "var x = $\"unterminated {",
        "switch (x) { case : }",
        "\u{0}\u{ffff}@@@\"\"\"",
        "",
    ] {
        let f = facts(src);
        if !src.is_empty() {
            assert!(f.syntax_errors > 0, "{src}");
        }
    }
}

#[test]
fn deep_nesting_is_capped() {
    let depth = 3000;
    let src = format!(
        "class T {{ void M() {{ var x = {}1{}; }} }}",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let f = facts(&src);
    assert!(f.truncated);
    let src = format!(
        "class T {{ void M() {{ {} File.Delete(\"x\"); {} }} }}",
        "{".repeat(depth),
        "}".repeat(depth)
    );
    let f = facts(&src);
    assert!(f.truncated);
    let src = format!(
        "class T {{ void M() {{ Run({}); }} }}",
        "F(".repeat(depth) + &")".repeat(depth)
    );
    let _ = facts(&src);
}

#[test]
fn declared_result_types_are_recorded() {
    let f = extract(
        Lang::CSharp,
        br#"using System.Net.Http;
namespace Demo;
public class Clients {
    public HttpClient Http() => new HttpClient();
    public void Nothing() { }
}
"#,
    )
    .unwrap();
    let http = f
        .defs
        .iter()
        .find(|d| d.name == "Http")
        .expect("Http is a definition");
    assert!(
        matches!(&http.returns, Some(Callee::Global { path }) if path == &["HttpClient"]),
        "{:?}",
        http.returns
    );
    let none = f.defs.iter().find(|d| d.name == "Nothing").unwrap();
    assert!(none.returns.is_none(), "{:?}", none.returns);
}

#[test]
fn target_typed_new_is_an_object_initialiser() {
    let f = facts(
        r#"
class P {
    void M() {
        var t = McpServerTool.Create(Run, new() { Name = "x" });
    }
}
"#,
    );
    let r = f
        .refs
        .iter()
        .find(|r| r.callee.last_name() == Some("Create"))
        .expect("Create");
    assert!(
        matches!(r.args.pos.get(1), Some(Arg::Obj(p)) if p.iter().any(|(k, v)| k == "Name" && *v == Arg::Str("x".into())))
    );
}
