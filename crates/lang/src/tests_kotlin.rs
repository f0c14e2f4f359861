//! Extraction tests for kotlin (see tests.rs for the conventions).

use super::*;

fn facts(src: &str) -> FileFacts {
    extract(Lang::Kotlin, src.as_bytes()).expect("parses")
}

fn at(f: &FileFacts, line: u32) -> Vec<&Ref> {
    f.refs.iter().filter(|r| r.line == line).collect()
}

fn callees(f: &FileFacts, line: u32) -> Vec<&Callee> {
    at(f, line).into_iter().map(|r| &r.callee).collect()
}

fn import(module: &str, path: &[&str]) -> Callee {
    Callee::Import {
        module: module.into(),
        path: path.iter().map(|s| s.to_string()).collect(),
    }
}

fn global(path: &[&str]) -> Callee {
    Callee::Global {
        path: path.iter().map(|s| s.to_string()).collect(),
    }
}

fn s(x: &str) -> String {
    x.to_string()
}

#[test]
fn kotlin_import_styles_resolve() {
    let f = facts(
        r#"package com.example.tools

import java.io.File
import java.nio.file.*
import java.nio.file.Files as F
import kotlin.io.path.readText

fun run(p: String) {
    File(p).readText()
    F.readString(Paths.get(p))
    java.lang.Runtime.getRuntime()
    Paths.get(p).readText()
}
"#,
    );
    assert_eq!(f.package.as_deref(), Some("com.example.tools"));
    assert_eq!(f.star_imports, vec![s("java.nio.file")]);
    assert!(f.imports.contains(&s("java.io.File")));
    assert!(f.imports.contains(&s("java.nio.file")));
    assert!(f.imports.contains(&s("kotlin.io.path.readText")));
    let nine = callees(&f, 9);
    assert!(nine.contains(&&import("java.io", &["File"])), "{nine:?}");
    assert!(nine.contains(&&import("java.io", &["File", "()", "readText"])));
    let ten = callees(&f, 10);
    assert!(ten.contains(&&import("java.nio.file", &["Files", "readString"])));
    assert!(ten.contains(&&global(&["Paths", "get"])));
    let r = at(&f, 10)
        .into_iter()
        .find(|r| r.callee == import("java.nio.file", &["Files", "readString"]))
        .unwrap();
    assert!(matches!(&r.args.pos[0], Arg::Call(c, _) if *c == global(&["Paths", "get"])));
    assert!(callees(&f, 11).contains(&&global(&["java", "lang", "Runtime", "getRuntime"])));
    // A top-level function is exported.
    assert!(f
        .exports
        .iter()
        .any(|e| matches!(e, Export::Local { name, .. } if name == "run")));
    assert_eq!(f.defs[0].params, vec![s("p")]);
    assert_eq!(f.syntax_errors, 0);
}

#[test]
fn kotlin_instances_from_types_and_constructions() {
    let f = facts(
        r#"import java.net.http.HttpClient
import java.io.File

fun go(client: HttpClient, path: String) {
    val f = File(path)
    f.delete()
    client.send(req, handler)
    val typed: File = make()
    typed.exists()
    val pb = ProcessBuilder("ls")
    pb.start()
}
"#,
    );
    assert!(callees(&f, 6).contains(&&import("java.io", &["File", "()", "delete"])));
    assert!(callees(&f, 7).contains(&&import("java.net.http", &["HttpClient", "()", "send"])));
    assert!(callees(&f, 9).contains(&&import("java.io", &["File", "()", "exists"])));
    assert!(callees(&f, 11).contains(&&global(&["ProcessBuilder", "()", "start"])));
    // An unknown local stays a variable; an unbound name is a global.
    assert!(callees(&f, 8).contains(&&global(&["make"])));
}

#[test]
fn kotlin_self_members_fields_and_consts() {
    let f = facts(
        r#"import io.ktor.client.HttpClient

const val TOOL = "fetch_url"

class Fetcher(private val http: HttpClient, name: String) : Base(), Closeable {
    private val cache = java.io.File("/tmp/cache")
    companion object {
        const val NAME = "fetcher"
    }
    fun fetch(u: String) {
        http.get(u)
        this.http.post(u)
        cache.writeText(u)
        helper()
        val g = { x: String -> http.get(x) }
    }
    private fun helper() {}
}

object Registry {
    const val KEY = "k"
}
"#,
    );
    let fetcher = f.defs.iter().position(|d| d.name == "Fetcher").unwrap() as DefId;
    let fetch = f.defs.iter().find(|d| d.name == "fetch").unwrap();
    assert_eq!(fetch.kind, DefKind::Method);
    assert_eq!(fetch.parent, Some(fetcher));
    assert_eq!(f.defs[fetcher as usize].params, vec![s("http"), s("name")]);
    assert_eq!(
        f.defs[fetcher as usize].bases,
        vec![global(&["Base"]), global(&["Closeable"])]
    );
    let sm = |path: &[&str]| Callee::SelfMember {
        class: Some(fetcher),
        path: path.iter().map(|s| s.to_string()).collect(),
    };
    assert_eq!(callees(&f, 11), vec![&sm(&["http", "get"])]);
    assert_eq!(callees(&f, 12), vec![&sm(&["http", "post"])]);
    assert_eq!(callees(&f, 13), vec![&sm(&["cache", "writeText"])]);
    assert_eq!(callees(&f, 14), vec![&sm(&["helper"])]);
    assert_eq!(callees(&f, 15), vec![&sm(&["http", "get"])]);
    assert!(f.fields.contains(&Field {
        class: fetcher,
        name: s("http"),
        value: import("io.ktor.client", &["HttpClient", "()"]),
    }));
    assert!(f.fields.contains(&Field {
        class: fetcher,
        name: s("cache"),
        value: global(&["java", "io", "File", "()"]),
    }));
    assert!(f.consts.contains(&(s("TOOL"), s("fetch_url"))));
    assert!(f.consts.contains(&(s("Fetcher.NAME"), s("fetcher"))));
    assert!(f.consts.contains(&(s("Registry.KEY"), s("k"))));
    let lambda = f
        .defs
        .iter()
        .position(|d| d.kind == DefKind::Anonymous)
        .unwrap();
    assert_eq!(f.defs[lambda].params, vec![s("x")]);
    let names: Vec<&str> = f
        .exports
        .iter()
        .filter_map(|e| match e {
            Export::Local { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    assert!(names.contains(&"Fetcher") && names.contains(&"Registry"));
    assert!(!names.contains(&"fetch"));
}

#[test]
fn kotlin_mcp_registration_args() {
    let f = facts(
        r#"import io.modelcontextprotocol.kotlin.sdk.server.Server
import io.modelcontextprotocol.kotlin.sdk.Tool

fun configure(server: Server) {
    server.addTool(
        name = "get_forecast",
        description = "Forecast",
        inputSchema = Tool.Input(properties = buildJsonObject {}),
    ) { request ->
        CallToolResult(content = listOf(TextContent("ok")))
    }
    server.addTool("read_file", "Reads", handler = ::handleRead)
    val schema = Tool.Input()
    server.addTool("x", "d", schema, this::other)
    ProcessBuilder(listOf("sh", "-c", cmd))
    ProcessBuilder("git", "log", "--since=${since}")
    call(mapOf("name" to "n", "count" to 3), true, 4)
}

fun handleRead(request: CallToolRequest): CallToolResult = TODO()
"#,
    );
    let add = at(&f, 5)
        .into_iter()
        .find(|r| r.callee.ends_with(&["addTool"]))
        .expect("addTool");
    assert_eq!(
        add.callee,
        import(
            "io.modelcontextprotocol.kotlin.sdk.server",
            &["Server", "()", "addTool"]
        )
    );
    assert_eq!(add.args.kw("name"), Some(&Arg::Str(s("get_forecast"))));
    assert!(
        matches!(add.args.kw("inputSchema"), Some(Arg::Call(c, _)) if c.ends_with(&["Tool", "Input"]))
    );
    let Some(Arg::Func(d)) = add.args.pos.last() else {
        panic!("trailing lambda: {:?}", add.args)
    };
    assert_eq!(f.defs[*d as usize].kind, DefKind::Anonymous);
    assert_eq!(f.defs[*d as usize].params, vec![s("request")]);
    // One reference for the call, not one per grammar node.
    assert_eq!(
        at(&f, 5)
            .iter()
            .filter(|r| r.callee.ends_with(&["addTool"]))
            .count(),
        1
    );
    let read = at(&f, 12)[0];
    assert_eq!(read.args.pos[0], Arg::Str(s("read_file")));
    let handle = f.defs.iter().position(|d| d.name == "handleRead").unwrap() as DefId;
    assert_eq!(
        read.args.kw("handler"),
        Some(&Arg::Path(Callee::Def {
            def: handle,
            path: vec![]
        }))
    );
    let x = at(&f, 14)
        .into_iter()
        .find(|r| r.callee.ends_with(&["addTool"]))
        .unwrap();
    // A local passed on is its initializer.
    assert!(matches!(&x.args.pos[2], Arg::Call(c, _) if c.ends_with(&["Tool", "Input"])));
    assert!(
        matches!(&x.args.pos[3], Arg::Path(Callee::SelfMember { path, .. }) if path == &vec![s("other")])
    );
    let pb = at(&f, 15)[0];
    assert_eq!(
        pb.args.pos[0],
        Arg::List(vec![Some(s("sh")), Some(s("-c")), None])
    );
    let git = at(&f, 16)[0];
    assert_eq!(
        git.args.pos,
        vec![
            Arg::Str(s("git")),
            Arg::Str(s("log")),
            Arg::Prefix(s("--since="))
        ]
    );
    let c = at(&f, 17)
        .into_iter()
        .find(|r| r.callee == global(&["call"]))
        .unwrap();
    assert_eq!(
        c.args.pos,
        vec![
            Arg::Obj(vec![(s("name"), Arg::Str(s("n"))), (s("count"), Arg::Num)]),
            Arg::Bool(true),
            Arg::Num
        ]
    );
}

#[test]
fn kotlin_annotations_decorate_definitions() {
    let f = facts(
        r#"import org.springframework.ai.tool.annotation.Tool

class WeatherService {
    @Tool(name = "get_weather", description = "Weather")
    fun weather(city: String): String = ""

    @Tool
    fun alerts(): String = ""
}
"#,
    );
    let w = f.defs.iter().position(|d| d.name == "weather").unwrap() as DefId;
    let a = f.defs.iter().position(|d| d.name == "alerts").unwrap() as DefId;
    let r = at(&f, 4)[0];
    assert_eq!(r.decorates, Some(w));
    assert_eq!(
        r.callee,
        import("org.springframework.ai.tool.annotation", &["Tool"])
    );
    assert_eq!(r.args.kw("name"), Some(&Arg::Str(s("get_weather"))));
    let r = at(&f, 7)[0];
    assert_eq!(r.decorates, Some(a));
}

#[test]
fn kotlin_when_and_if_labels() {
    let f = facts(
        r#"const val DELETE = "delete"

fun dispatch(name: String, p: String) {
    when (name) {
        "read", "cat" -> read(p)
        DELETE -> remove(p)
        else -> other(p)
    }
    if (name == "write") {
        write(p)
    } else {
        nothing(p)
    }
    if (name.equals("list")) list(p)
    when {
        name == "stat" -> stat(p)
    }
}
"#,
    );
    let labels = |line: u32| at(&f, line)[0].labels.clone();
    assert_eq!(labels(5), vec![s("read"), s("cat")]);
    assert_eq!(labels(6), vec![s("delete")]);
    assert!(labels(7).is_empty());
    assert_eq!(labels(10), vec![s("write")]);
    assert!(labels(12).is_empty());
    let list = at(&f, 14)
        .into_iter()
        .find(|r| r.callee == global(&["list"]))
        .unwrap();
    assert_eq!(list.labels, vec![s("list")]);
    assert_eq!(labels(16), vec![s("stat")]);
}

#[test]
fn kotlin_access_and_env() {
    let f = facts(
        r#"fun env() {
    val home = System.getenv("HOME")
    val tmp = System.getProperty("java.io.tmpdir")
    val out = System.out
}
"#,
    );
    let r = at(&f, 2)[0];
    assert_eq!(r.callee, global(&["System", "getenv"]));
    assert_eq!(r.args.pos, vec![Arg::Str(s("HOME"))]);
    assert_eq!(at(&f, 4)[0].kind, RefKind::Access);
}

#[test]
fn kotlin_malformed_input_does_not_panic() {
    for src in [
        "fun (",
        "class X { fun f( { val = } }",
        "import\npackage\n@\nfun",
        "server.addTool(name = ) { ->",
        "when (x) { \"a\" -> ; else }",
        "val x = \"unterminated",
        "::",
        "object : { }",
        "\u{0}\u{1}fun\u{7f}",
    ] {
        let f = facts(src);
        assert!(f.syntax_errors > 0, "{src:?}");
    }
}

#[test]
fn kotlin_deep_nesting_is_capped() {
    let mut src = String::from("fun f() {\n val x = ");
    for _ in 0..3000 {
        src.push_str("g(");
    }
    for _ in 0..3000 {
        src.push(')');
    }
    src.push_str("\n}\n");
    let f = facts(&src);
    assert!(f.truncated);
    let mut src = String::from("fun f() = ");
    for _ in 0..2000 {
        src.push_str("run { ");
    }
    for _ in 0..2000 {
        src.push_str(" }");
    }
    let f = facts(&src);
    assert!(f.truncated);
}

#[test]
fn declared_result_types_are_recorded() {
    let f = extract(
        Lang::Kotlin,
        br#"package demo
import java.io.File

fun dataDir(): File = File("/var/data")
"#,
    )
    .unwrap();
    let d = f
        .defs
        .iter()
        .find(|d| d.name == "dataDir")
        .expect("dataDir is a definition");
    assert!(
        matches!(&d.returns, Some(Callee::Import { module, path }) if format!("{module}.{}", path.join(".")) == "java.io.File"),
        "{:?}",
        d.returns
    );
}
