use super::*;

fn facts(src: &str) -> FileFacts {
    extract(Lang::Java, src.as_bytes()).expect("parses")
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn import(module: &str, path: &[&str]) -> Callee {
    Callee::Import {
        module: module.into(),
        path: s(path),
    }
}

fn global(path: &[&str]) -> Callee {
    Callee::Global { path: s(path) }
}

/// The references on a line, calls and constructions only.
fn at(f: &FileFacts, line: u32) -> Vec<&Ref> {
    f.refs.iter().filter(|r| r.line == line).collect()
}

fn has(f: &FileFacts, line: u32, c: &Callee) -> bool {
    at(f, line).iter().any(|r| &r.callee == c)
}

fn def_named(f: &FileFacts, name: &str) -> DefId {
    f.defs
        .iter()
        .position(|d| d.name == name)
        .unwrap_or_else(|| panic!("no def {name}")) as DefId
}

#[test]
fn java_import_styles_resolve() {
    let f = facts(
        r#"package com.example.app;
import java.nio.file.Files;
import static java.lang.System.getenv;
import java.io.*;
import java.net.http.HttpClient;
class A {
  void m(String p) throws Exception {
    Files.readString(Path.of(p));
    getenv("HOME");
    new FileInputStream(p);
    java.nio.file.Files.delete(null);
    Runtime.getRuntime().exec(p);
  }
}
"#,
    );
    assert_eq!(f.package.as_deref(), Some("com.example.app"));
    assert_eq!(f.star_imports, s(&["java.io"]));
    assert!(f.imports.contains(&"java.nio.file.Files".to_string()));
    assert!(f.imports.contains(&"java.lang.System.getenv".to_string()));
    assert!(f.imports.contains(&"java.io".to_string()));
    assert!(has(
        &f,
        8,
        &import("java.nio.file", &["Files", "readString"])
    ));
    // `Path` is not imported: an unqualified name, looked up by the linker and catalogue.
    assert!(has(&f, 8, &global(&["Path", "of"])));
    assert!(has(&f, 9, &import("java.lang.System", &["getenv"])));
    let new = at(&f, 10)
        .into_iter()
        .find(|r| r.kind == RefKind::New)
        .expect("construction");
    assert_eq!(new.callee, global(&["FileInputStream"]));
    assert!(has(
        &f,
        11,
        &global(&["java", "nio", "file", "Files", "delete"])
    ));
    assert!(has(
        &f,
        12,
        &global(&["Runtime", "getRuntime", "()", "exec"])
    ));
    // Top-level types are exported.
    assert!(matches!(&f.exports[..], [Export::Local { name, .. }] if name == "A"));
    assert_eq!(f.syntax_errors, 0);
}

#[test]
fn java_instances_come_from_declared_types_and_constructions() {
    let f = facts(
        r#"import java.net.http.HttpClient;
import java.io.File;
class A {
  void m(String p, HttpClient param) throws Exception {
    HttpClient c = HttpClient.newHttpClient();
    c.send(null, null);
    var f = new File(p);
    f.delete();
    param.sendAsync(null, null);
    var g = HttpClient.newBuilder();
    g.build();
    for (File x : f.listFiles()) { x.length(); }
  }
}
"#,
    );
    assert!(has(
        &f,
        6,
        &import("java.net.http", &["HttpClient", "()", "send"])
    ));
    assert!(has(&f, 8, &import("java.io", &["File", "()", "delete"])));
    assert!(has(
        &f,
        9,
        &import("java.net.http", &["HttpClient", "()", "sendAsync"])
    ));
    assert!(has(
        &f,
        11,
        &import(
            "java.net.http",
            &["HttpClient", "newBuilder", "()", "build"]
        )
    ));
    assert!(has(&f, 12, &import("java.io", &["File", "()", "length"])));
}

#[test]
fn java_members_resolve_to_self_and_fields_carry_their_type() {
    let f = facts(
        r#"import org.springframework.web.client.RestTemplate;
public class Svc extends Base implements Api, Other {
  private final RestTemplate rest;
  static final String NAME = "svc";
  Svc(RestTemplate rest) { this.rest = rest; }
  String a(String u) { return rest.getForObject(u, String.class); }
  String b(String u) { return this.rest.getForObject(u, String.class); }
  void c() { helper(); inherited(); this.helper(); }
  void helper() {}
  class Inner { void d() { helper(); } }
}
"#,
    );
    let svc = def_named(&f, "Svc");
    assert_eq!(
        f.fields,
        vec![Field {
            class: svc,
            name: "rest".into(),
            value: import("org.springframework.web.client", &["RestTemplate", "()"]),
        }]
    );
    assert_eq!(f.consts, vec![("Svc.NAME".to_string(), "svc".to_string())]);
    let member = |path: &[&str]| Callee::SelfMember {
        class: Some(svc),
        path: s(path),
    };
    assert!(has(&f, 6, &member(&["rest", "getForObject"])));
    assert!(has(&f, 7, &member(&["rest", "getForObject"])));
    assert!(has(&f, 8, &member(&["helper"])));
    // A bare call nothing in the file declares: a member inherited from a base.
    assert!(has(&f, 8, &member(&["inherited"])));
    let ctor = def_named(&f, "constructor");
    assert_eq!(f.defs[ctor as usize].parent, Some(svc));
    assert_eq!(f.defs[ctor as usize].params, s(&["rest"]));
    assert_eq!(
        f.defs[svc as usize].bases,
        vec![global(&["Base"]), global(&["Api"]), global(&["Other"])]
    );
    let inner = def_named(&f, "Inner");
    assert_eq!(f.defs[inner as usize].parent, Some(svc));
    let d = def_named(&f, "d");
    assert_eq!(f.defs[d as usize].parent, Some(inner));
    // The inner class sees the outer class's method.
    assert!(has(&f, 10, &member(&["helper"])));
}

#[test]
fn java_annotations_decorate_their_method_with_keywords() {
    let f = facts(
        r#"import org.springframework.ai.tool.annotation.Tool;
import io.quarkiverse.mcp.server.ToolArg;
class T {
  static final String N = "named";
  @Tool(description = "Reads")
  String read(@ToolArg(description = "p") String p) { return p; }
  @Tool(name = N, description = """
      Multi
        line
      """)
  String other() { return ""; }
  @Deprecated
  void old() {}
}
"#,
    );
    let read = def_named(&f, "read");
    let r = f
        .refs
        .iter()
        .find(|r| r.decorates == Some(read))
        .expect("annotation ref");
    assert_eq!(
        r.callee,
        import("org.springframework.ai.tool.annotation", &["Tool"])
    );
    assert_eq!(r.kind, RefKind::Call);
    assert_eq!(r.args.kw("description"), Some(&Arg::Str("Reads".into())));
    assert_eq!(r.line, 5);
    // Parameter annotations decorate nothing.
    assert!(!f
        .refs
        .iter()
        .any(|r| r.callee.last_name() == Some("ToolArg")));
    let other = def_named(&f, "other");
    let r = f
        .refs
        .iter()
        .find(|r| r.decorates == Some(other))
        .expect("annotation ref");
    assert_eq!(r.args.kw("name"), Some(&Arg::Str("named".into())));
    assert_eq!(
        r.args.kw("description"),
        Some(&Arg::Str("Multi\n  line\n".into()))
    );
    let old = def_named(&f, "old");
    assert!(f
        .refs
        .iter()
        .any(|r| r.decorates == Some(old) && r.callee == global(&["Deprecated"])));
}

#[test]
fn java_arguments_keep_literals_lambdas_refs_and_constructions() {
    let f = facts(
        r#"import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.spec.McpSchema;
class S {
  static final String NAME = "calc";
  void reg() {
    var tool = new McpSchema.Tool("calc", "desc", "{}");
    new McpServerFeatures.SyncToolSpecification(tool, (exchange, args) -> handle(args));
    new McpServerFeatures.SyncToolSpecification(new McpSchema.Tool(NAME, "d", "{}"), this::handle);
    new ProcessBuilder("sh", "-c", "ls " + NAME).start();
    Runtime.getRuntime().exec(new String[] {"bash", "-c", "x"});
    new ProcessBuilder(List.of("git", "status"));
    run(Tools::read, 3, true, "C:\\tmp\n");
  }
  Object handle(Object a) { return a; }
}
"#,
    );
    let spec = |line: u32| {
        at(&f, line)
            .into_iter()
            .find(|r| {
                r.kind == RefKind::New && r.callee.last_name() == Some("SyncToolSpecification")
            })
            .expect("spec")
            .clone()
    };
    let tool = import("io.modelcontextprotocol.spec", &["McpSchema", "Tool"]);
    let r = spec(7);
    assert_eq!(
        r.args.pos[0],
        Arg::Call(
            tool.clone(),
            vec![
                Arg::Str("calc".into()),
                Arg::Str("desc".into()),
                Arg::Str("{}".into())
            ]
        )
    );
    let Arg::Func(lambda) = r.args.pos[1] else {
        panic!("lambda: {:?}", r.args.pos[1]);
    };
    let lambda = &f.defs[lambda as usize];
    assert_eq!(lambda.kind, DefKind::Anonymous);
    assert_eq!(lambda.params, s(&["exchange", "args"]));
    assert_eq!(lambda.parent, Some(def_named(&f, "reg")));
    let r = spec(8);
    assert!(
        matches!(&r.args.pos[0], Arg::Call(c, a) if *c == tool && a[0] == Arg::Str("calc".into()))
    );
    let cls = def_named(&f, "S");
    assert_eq!(
        r.args.pos[1],
        Arg::Path(Callee::SelfMember {
            class: Some(cls),
            path: s(&["handle"])
        })
    );
    let pb = at(&f, 9)
        .into_iter()
        .find(|r| r.kind == RefKind::New)
        .expect("new");
    assert_eq!(
        pb.args.pos,
        vec![
            Arg::Str("sh".into()),
            Arg::Str("-c".into()),
            Arg::Prefix("ls ".into())
        ]
    );
    let exec = at(&f, 10)
        .into_iter()
        .find(|r| r.callee.last_name() == Some("exec"))
        .expect("exec");
    assert_eq!(
        exec.args.pos,
        vec![Arg::List(vec![
            Some("bash".into()),
            Some("-c".into()),
            Some("x".into())
        ])]
    );
    let pb = at(&f, 11)
        .into_iter()
        .find(|r| r.kind == RefKind::New)
        .expect("new");
    assert_eq!(
        pb.args.pos,
        vec![Arg::List(vec![Some("git".into()), Some("status".into())])]
    );
    let run = at(&f, 12)
        .into_iter()
        .find(|r| r.callee.last_name() == Some("run"))
        .expect("run");
    assert_eq!(
        run.args.pos,
        vec![
            Arg::Path(global(&["Tools", "read"])),
            Arg::Num,
            Arg::Bool(true),
            Arg::Str("C:\\tmp\n".into())
        ]
    );
}

#[test]
fn java_switch_and_equals_give_labels() {
    let f = facts(
        r#"class D {
  static final String READ = "read";
  Object call(String name, String p) throws Exception {
    switch (name) {
      case "exec":
        Runtime.getRuntime().exec(p);
        break;
      case READ, "cat": {
        Files.readString(null);
        break;
      }
      default:
        other();
    }
    var r = switch (name) {
      case "env" -> System.getenv(p);
      default -> null;
    };
    if (name.equals("rm") || "del".equals(name)) {
      Files.delete(null);
    } else if (name == "ls") {
      Files.list(null);
    } else {
      neither();
    }
    return r;
  }
}
"#,
    );
    let labels = |line: u32| at(&f, line)[0].labels.clone();
    assert_eq!(labels(6), s(&["exec"]));
    assert_eq!(labels(9), s(&["read", "cat"]));
    assert!(labels(13).is_empty());
    assert_eq!(labels(16), s(&["env"]));
    assert_eq!(labels(20), s(&["rm", "del"]));
    assert_eq!(labels(22), s(&["ls"]));
    assert!(labels(24).is_empty());
}

#[test]
fn java_native_methods_static_code_and_anonymous_classes() {
    let f = facts(
        r#"class N {
  static { System.loadLibrary("n"); }
  private static final HttpClient C = HttpClient.newHttpClient();
  private final HttpClient d = HttpClient.newHttpClient();
  native int poke(long addr);
  void m() {
    new Thread(new Runnable() {
      public void run() { Files.delete(null); }
    }).start();
  }
}
"#,
    );
    let poke = def_named(&f, "poke");
    let native = at(&f, 5)
        .into_iter()
        .find(|r| r.callee == import("jni", &["native"]))
        .expect("native marker");
    assert_eq!(native.in_def, Some(poke));
    // Static code runs when the class loads: file-level, like module code.
    assert_eq!(at(&f, 2)[0].in_def, None);
    assert_eq!(at(&f, 3)[0].in_def, None);
    let cls = def_named(&f, "N");
    assert_eq!(at(&f, 4)[0].in_def, Some(cls));
    let run = def_named(&f, "run");
    let anon = f.defs[run as usize].parent.expect("anonymous class");
    assert_eq!(f.defs[anon as usize].kind, DefKind::Class);
    assert_eq!(f.defs[anon as usize].parent, Some(def_named(&f, "m")));
    assert_eq!(at(&f, 8)[0].in_def, Some(run));
    assert!(f.fields.iter().any(|x| x.name == "C" && x.class == cls));
}

#[test]
fn java_records_enums_and_interfaces_are_classes() {
    let f = facts(
        r#"record Req(HttpClient client, String url) {
  String go() throws Exception { return client.send(null, null).body(); }
}
enum Kind { A, B; void k() {} }
interface Api extends Base { default void x() { y(); } void y(); }
"#,
    );
    for name in ["Req", "Kind", "Api"] {
        assert_eq!(f.defs[def_named(&f, name) as usize].kind, DefKind::Class);
    }
    let req = def_named(&f, "Req");
    assert!(f
        .fields
        .iter()
        .any(|x| x.class == req && x.name == "client" && x.value == global(&["HttpClient", "()"])));
    assert!(has(
        &f,
        2,
        &Callee::SelfMember {
            class: Some(req),
            path: s(&["client", "send"])
        }
    ));
    assert_eq!(
        f.defs[def_named(&f, "Api") as usize].bases,
        vec![global(&["Base"])]
    );
    assert_eq!(f.exports.len(), 3);
}

#[test]
fn java_malformed_input_does_not_panic() {
    for src in [
        "class { void ( { new ; } }",
        "import ;\npackage\nclass A extends { @Tool( void m() { switch (x) { case -> } } }",
        "\"\"\" unterminated",
        "class A { void m() { a.b.c.d.e.f(((((((x))))))).g(); this::; new int[]{ } } }",
        "@interface X { String value() default \"\"; }",
        "",
        "\u{feff}class A { String s = \"\\u00e9\\\"\"; }",
    ] {
        let f = facts(src);
        let _ = f.refs.len();
    }
    let f = facts("class { void ( { new ; } }");
    assert!(f.syntax_errors > 0);
}

#[test]
fn java_deep_nesting_is_capped() {
    let depth = 3000;
    let mut src = String::from("class A { void m() { int x = ");
    for _ in 0..depth {
        src.push_str("f(");
    }
    src.push('1');
    for _ in 0..depth {
        src.push(')');
    }
    src.push_str("; } }");
    let f = facts(&src);
    assert!(f.truncated);
    let mut blocks = String::from("class A { void m() { ");
    for _ in 0..depth {
        blocks.push_str("if (a) { ");
    }
    for _ in 0..depth {
        blocks.push_str("} ");
    }
    blocks.push_str("} }");
    let f = facts(&blocks);
    assert!(f.truncated);
}

#[test]
fn locals_from_field_calls_and_declared_results() {
    let f = extract(
        Lang::Java,
        br#"package a;
import java.net.http.HttpClient;
public class T {
    private final Clients clients;
    public int s() {
        var client = clients.http();
        return client.send(req);
    }
    HttpClient make() { return null; }
}
"#,
    )
    .unwrap();
    let at7: Vec<&Callee> = f
        .refs
        .iter()
        .filter(|r| r.line == 7)
        .map(|r| &r.callee)
        .collect();
    assert!(at7.iter().any(|c| matches!(c, Callee::SelfMember { class: Some(0), path } if path == &["clients", "http", "()", "send"])), "{at7:?}");
    let make = f
        .defs
        .iter()
        .find(|d| d.name == "make")
        .expect("make is a definition");
    assert!(
        matches!(&make.returns, Some(Callee::Import { module, path }) if format!("{module}.{}", path.join(".")) == "java.net.http.HttpClient"),
        "{:?}",
        make.returns
    );
}

#[test]
fn java_nested_annotation_values_are_objects() {
    let f = facts(
        r#"class T {
    @McpTool(name = "x", annotations = @McpTool.McpAnnotations(readOnlyHint = true))
    public String x() { return ""; }
}
"#,
    );
    let r = f
        .refs
        .iter()
        .find(|r| r.decorates.is_some())
        .expect("the annotation decorates the method");
    assert_eq!(
        r.args.kw("annotations"),
        Some(&Arg::Obj(vec![("readOnlyHint".into(), Arg::Bool(true))]))
    );
}
