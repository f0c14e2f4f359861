//! Extraction tests for rust (see tests.rs for the conventions).
use super::*;

fn facts(src: &str) -> FileFacts {
    extract(Lang::Rust, src.as_bytes()).expect("parses")
}

fn import(module: &str, path: &[&str]) -> Callee {
    Callee::Import {
        module: module.into(),
        path: path.iter().map(|s| s.to_string()).collect(),
    }
}

fn refs_at(f: &FileFacts, line: u32) -> Vec<&Ref> {
    f.refs.iter().filter(|r| r.line == line).collect()
}

fn has(f: &FileFacts, line: u32, c: &Callee) -> bool {
    refs_at(f, line).iter().any(|r| &r.callee == c)
}

fn s(x: &str) -> Arg {
    Arg::Str(x.into())
}

#[test]
fn rust_import_styles_resolve() {
    let f = facts(
        r#"use std::process::Command;
use std::{fs, env as e};
use tokio::fs::File as TFile;
use std::io::{self, Read};
use crate::tools::*;
pub use crate::helpers::run_it;
fn main() {
    Command::new("ls");
    fs::read_to_string("/etc/hosts");
    e::var("HOME");
    TFile::open("a");
    std::fs::remove_file("x");
    tools::run();
    super::up();
    unknown();
    io::stdin();
}
"#,
    );
    assert!(has(&f, 8, &import("std::process", &["Command", "new"])));
    assert!(has(&f, 9, &import("std", &["fs", "read_to_string"])));
    assert!(has(&f, 10, &import("std", &["env", "var"])));
    assert!(has(&f, 11, &import("tokio::fs", &["File", "open"])));
    assert!(has(&f, 12, &import("std", &["fs", "remove_file"])));
    assert!(has(&f, 13, &import("tools", &["run"])));
    assert!(has(&f, 14, &import("super", &["up"])));
    assert!(has(
        &f,
        15,
        &Callee::Global {
            path: vec!["unknown".into()]
        }
    ));
    assert!(has(&f, 16, &import("std", &["io", "stdin"])));
    assert_eq!(f.star_imports, vec!["crate::tools".to_string()]);
    assert!(f.imports.contains(&"std::process::Command".to_string()));
    assert!(f.imports.contains(&"std::env".to_string()));
    assert!(f.exports.iter().any(|e| matches!(e, Export::Local { name, target } if name == "run_it" && *target == import("crate::helpers", &["run_it"]))));
    assert!(f
        .exports
        .iter()
        .any(|e| matches!(e, Export::Local { name, .. } if name == "main")));
    let r = refs_at(&f, 9)[0];
    assert_eq!(r.args.pos, vec![s("/etc/hosts")]);
    assert_eq!(f.syntax_errors, 0);
}

#[test]
fn rust_instances_fields_and_self_members() {
    let f = facts(
        r#"use reqwest::Client;
struct Server { http: Client, db: Option<sqlx::PgPool>, n: u32 }
impl Server {
    fn new() -> Self { Server { http: Client::new(), db: None, n: 0 } }
    async fn fetch(&self, url: &str, other: &reqwest::Client) {
        self.http.get(url).send().await;
        let c = reqwest::Client::new();
        c.post("https://x.test/api");
        other.get("u");
        let t: Client = make();
        t.head("h");
        Self::helper();
    }
    fn helper() {}
}
"#,
    );
    let server = f
        .defs
        .iter()
        .position(|d| d.name == "Server" && d.kind == DefKind::Class)
        .unwrap() as DefId;
    let fetch = f.defs.iter().find(|d| d.name == "fetch").unwrap();
    assert_eq!(fetch.kind, DefKind::Method);
    assert_eq!(fetch.parent, Some(server));
    assert_eq!(fetch.params, vec!["self", "url", "other"]);
    assert!(f.fields.contains(&Field {
        class: server,
        name: "http".into(),
        value: import("reqwest", &["Client", "()"])
    }));
    assert!(f.fields.contains(&Field {
        class: server,
        name: "db".into(),
        value: import("sqlx", &["PgPool", "()"])
    }));
    assert!(!f.fields.iter().any(|x| x.name == "n"));
    assert!(has(
        &f,
        6,
        &Callee::SelfMember {
            class: Some(server),
            path: vec!["http".into(), "get".into()]
        }
    ));
    assert!(has(&f, 8, &import("reqwest", &["Client", "()", "post"])));
    assert!(has(&f, 9, &import("reqwest", &["Client", "()", "get"])));
    assert!(has(&f, 11, &import("reqwest", &["Client", "()", "head"])));
    assert!(has(
        &f,
        12,
        &Callee::SelfMember {
            class: Some(server),
            path: vec!["helper".into()]
        }
    ));
    // The construction inside the struct literal, and the literal itself.
    assert!(has(&f, 4, &import("reqwest", &["Client", "new"])));
    assert!(refs_at(&f, 4).iter().any(|r| r.kind == RefKind::New
        && r.callee
            == Callee::Def {
                def: server,
                path: vec![]
            }));
}

#[test]
fn rust_command_chain_and_args() {
    let f = facts(
        r##"use std::process::Command;
fn run(cmd: &str) {
    Command::new("sh").arg("-c").arg(cmd).output();
    Command::new("git").args(["status", "--short"]).spawn();
    let prog = format!("/usr/bin/{}", cmd);
    std::fs::write(r#"C:\x"#, b"data");
    std::fs::read(String::from("lit"));
    let cb = |x: i32| x + 1;
    apply(cb, Self::handle, Tool { name: "t", n: 1 });
    std::env::var("KEY".to_string());
    go(prog);
}
"##,
    );
    let r = refs_at(&f, 3)
        .into_iter()
        .find(|r| r.callee.ends_with(&["Command", "new"]))
        .unwrap();
    assert_eq!(&r.args.pos[..2], &[s("sh"), s("-c")]);
    let r = refs_at(&f, 4)
        .into_iter()
        .find(|r| r.callee.ends_with(&["Command", "new"]))
        .unwrap();
    assert_eq!(r.args.pos, vec![s("git"), s("status"), s("--short")]);
    assert_eq!(refs_at(&f, 6)[0].args.pos[0], s("C:\\x"));
    assert_eq!(
        refs_at(&f, 7)
            .iter()
            .find(|r| r.callee.ends_with(&["read"]))
            .unwrap()
            .args
            .pos[0],
        s("lit")
    );
    let apply = refs_at(&f, 9)
        .into_iter()
        .find(|r| r.callee.ends_with(&["apply"]))
        .unwrap();
    assert!(matches!(apply.args.pos[0], Arg::Func(_)));
    assert!(matches!(&apply.args.pos[1], Arg::Path(_)));
    assert_eq!(
        apply.args.pos[2],
        Arg::Obj(vec![("name".into(), s("t")), ("n".into(), Arg::Num)])
    );
    assert_eq!(refs_at(&f, 10)[0].args.pos[0], s("KEY"));
    // A local initialised once from a macro call is passed as its value.
    let go = refs_at(&f, 11)[0];
    assert_eq!(go.args.pos[0], Arg::Prefix("/usr/bin/".into()));
    assert!(f
        .defs
        .iter()
        .any(|d| d.kind == DefKind::Anonymous && d.params == vec!["x"]));
}

#[test]
fn rust_attributes_decorate_tool_methods() {
    let f = facts(
        r#"use rmcp::{tool, tool_router, handler::server::tool::ToolRouter, model::*};
const NAME: &str = "shout";
#[derive(Clone)]
pub struct Counter { tool_router: ToolRouter<Self> }
#[tool_router]
impl Counter {
    #[tool(description = "Increment the counter")]
    async fn increment(&self) -> Result<CallToolResult, McpError> { todo!() }
    /// Doc.
    #[tool(name = "get_value", description = "Read")]
    fn get(&self) {}
    #[tool(name = NAME)]
    fn loud(&self) {}
}
"#,
    );
    let counter = f.defs.iter().position(|d| d.name == "Counter").unwrap() as DefId;
    let inc = f.defs.iter().position(|d| d.name == "increment").unwrap() as DefId;
    let get = f.defs.iter().position(|d| d.name == "get").unwrap() as DefId;
    let loud = f.defs.iter().position(|d| d.name == "loud").unwrap() as DefId;
    let dec = |d: DefId| f.refs.iter().find(|r| r.decorates == Some(d)).unwrap();
    assert_eq!(dec(inc).callee, import("rmcp", &["tool"]));
    assert_eq!(
        dec(inc).args.kw("description"),
        Some(&s("Increment the counter"))
    );
    assert_eq!(dec(get).args.kw("name"), Some(&s("get_value")));
    assert_eq!(dec(loud).args.kw("name"), Some(&s("shout")));
    assert_eq!(dec(counter).callee, import("rmcp", &["tool_router"]));
    assert!(f.consts.contains(&("NAME".into(), "shout".into())));
    assert!(f.star_imports.contains(&"rmcp::model".to_string()));
    // `derive` is not a reference.
    assert!(!f
        .refs
        .iter()
        .any(|r| r.callee.last_name() == Some("derive")));
}

#[test]
fn rust_labels_from_match_and_if() {
    let f = facts(
        r#"const READ: &str = "read";
fn dispatch(name: &str) {
    match name {
        "ls" | "list" => list(),
        READ => read(),
        other => fallback(other),
    }
    if name == "rm" {
        rm();
    } else if "cp" == name || name == "copy" {
        cp();
    }
}
"#,
    );
    assert_eq!(refs_at(&f, 4)[0].labels, vec!["ls", "list"]);
    assert_eq!(refs_at(&f, 5)[0].labels, vec!["read"]);
    assert!(refs_at(&f, 6)[0].labels.is_empty());
    assert_eq!(refs_at(&f, 9)[0].labels, vec!["rm"]);
    assert_eq!(refs_at(&f, 11)[0].labels, vec!["cp", "copy"]);
}

#[test]
fn rust_unsafe_ffi_macros_and_inline_tests() {
    let f = facts(
        r#"extern "C" {
    fn abs(x: i32) -> i32;
}
fn f(p: *const u8) {
    unsafe {
        let v = *p;
        std::ptr::read(p);
    }
    println!("{}", std::env::var("HOME").unwrap());
}
#[cfg(test)]
mod tests {
    #[test]
    fn t() { std::fs::remove_dir_all("/"); }
}
#[test]
fn lone() { std::process::Command::new("rm"); }
#[cfg(test)]
fn helper() {}
"#,
    );
    assert!(has(
        &f,
        1,
        &Callee::Global {
            path: vec!["@rust".into(), "extern_block".into()]
        }
    ));
    assert!(has(
        &f,
        6,
        &Callee::Global {
            path: vec!["@rust".into(), "unsafe_deref".into()]
        }
    ));
    assert!(has(&f, 7, &import("std", &["ptr", "read"])));
    let env = refs_at(&f, 9)
        .into_iter()
        .find(|r| r.callee == import("std", &["env", "var"]))
        .unwrap();
    assert_eq!(env.args.pos, vec![s("HOME")]);
    assert!(
        f.refs
            .iter()
            .all(|r| r.line < 11 || r.line == 16 || r.line == 17),
        "cfg(test) items are skipped"
    );
    assert!(!f.defs.iter().any(|d| d.name == "t" || d.name == "helper"));
    // A `#[test]` function outside `cfg(test)` is kept (integration tests in `tests/`).
    assert!(has(&f, 17, &import("std", &["process", "Command", "new"])));
}

#[test]
fn rust_malformed_and_deep_inputs_do_not_panic() {
    for src in [
        "fn main( { let x = Command::new(; use std::{; impl for {} #[tool(name = ] fn",
        "use ;;; mod a { fn b() { c::d::<>(\"x\" }",
        "#[tool] #[tool(",
        "match x { \"a\" => , }",
        "unsafe { * }",
        "",
    ] {
        let f = facts(src);
        assert!(f.syntax_errors > 0 || src.is_empty(), "{src}");
    }
    let deep = format!("fn f() {{ {}1{} }}", "(".repeat(3000), ")".repeat(3000));
    let f = facts(&deep);
    assert!(f.truncated);
    let deep = format!(
        "fn f() {{ {} }}",
        "{ g(); ".repeat(2000) + &"}".repeat(2000)
    );
    let f = facts(&deep);
    assert!(f.truncated);
    let chain = format!("fn f() {{ x{} }}", ".m()".repeat(3000));
    let _ = facts(&chain);
}

#[test]
fn declared_result_types_are_recorded() {
    let f = extract(
        Lang::Rust,
        br#"use reqwest::Client;

pub fn client() -> Client {
    Client::new()
}
"#,
    )
    .unwrap();
    let d = f
        .defs
        .iter()
        .find(|d| d.name == "client")
        .expect("client is a definition");
    assert!(
        matches!(&d.returns, Some(Callee::Import { module, path }) if format!("{module}::{}", path.join("::")) == "reqwest::Client"),
        "{:?}",
        d.returns
    );
}

#[test]
fn rust_attribute_nested_lists_are_objects_and_comments_are_skipped() {
    let f = facts(
        r#"impl S {
    #[tool( // a comment between the arguments
        name = "prune",
        annotations(read_only_hint = false, destructive_hint = true)
    )]
    async fn prune(&self) {}
}
"#,
    );
    let r = f
        .refs
        .iter()
        .find(|r| r.decorates.is_some())
        .expect("the attribute decorates the method");
    assert_eq!(r.args.kw("name"), Some(&s("prune")));
    assert_eq!(
        r.args.kw("annotations"),
        Some(&Arg::Obj(vec![
            ("read_only_hint".into(), Arg::Bool(false)),
            ("destructive_hint".into(), Arg::Bool(true)),
        ]))
    );
}

#[test]
fn tuples_are_objects_and_literal_getters_are_constants() {
    let f = facts(
        r#"
struct Host;
impl ToolBase for Host {
    fn name() -> Cow<'static, str> {
        "host_info".into()
    }
    fn title(x: u32) -> String {
        "not a getter".to_string()
    }
}
impl Host {
    fn label() -> String { String::from("host") }
}
fn routes(r: Router) {
    r.with_route((Tool::new("a", "d", schema()), Host::run));
}
"#,
    );
    assert!(f.consts.contains(&("Host.name".into(), "host_info".into())));
    assert!(f.consts.contains(&("Host.label".into(), "host".into())));
    assert!(!f.consts.iter().any(|(k, _)| k == "Host.title"));
    let r = f
        .refs
        .iter()
        .find(|r| r.callee.last_name() == Some("with_route"))
        .expect("with_route");
    let Some(Arg::Obj(props)) = r.args.pos.first() else {
        panic!("tuple is not an object: {:?}", r.args.pos)
    };
    assert_eq!(
        props.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        vec!["0", "1"]
    );
}
