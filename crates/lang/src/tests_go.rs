//! Extraction tests for go (see tests.rs for the conventions).

use super::*;

fn facts(src: &str) -> FileFacts {
    extract(Lang::Go, src.as_bytes()).expect("parses")
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

fn callees_at(f: &FileFacts, line: u32) -> Vec<&Callee> {
    refs_at(f, line).into_iter().map(|r| &r.callee).collect()
}

fn def(f: &FileFacts, name: &str) -> DefId {
    f.defs
        .iter()
        .position(|d| d.name == name)
        .unwrap_or_else(|| panic!("no def {name}")) as DefId
}

#[test]
fn go_import_styles_bind_their_package_names() {
    let f = facts(
        r#"package tools

import (
	"os/exec"
	yml "gopkg.in/yaml.v3"
	"github.com/redis/go-redis/v9"
	"github.com/mattn/go-sqlite3"
	. "strings"
	_ "github.com/lib/pq"
)
import fs "io/ioutil"

func f() {
	exec.Command("ls")
	yml.Marshal(nil)
	redis.NewClient(nil)
	sqlite3.Version()
	ToUpper("x")
	fs.ReadFile("a")
	pq.Open("x")
}
"#,
    );
    assert_eq!(f.package.as_deref(), Some("tools"));
    assert_eq!(
        f.imports,
        vec![
            "os/exec",
            "gopkg.in/yaml.v3",
            "github.com/redis/go-redis/v9",
            "github.com/mattn/go-sqlite3",
            "strings",
            "github.com/lib/pq",
            "io/ioutil"
        ]
    );
    assert_eq!(f.star_imports, vec!["strings"]);
    assert_eq!(callees_at(&f, 14), vec![&import("os/exec", &["Command"])]);
    assert_eq!(
        callees_at(&f, 15),
        vec![&import("gopkg.in/yaml.v3", &["Marshal"])]
    );
    assert_eq!(
        callees_at(&f, 16),
        vec![&import("github.com/redis/go-redis/v9", &["NewClient"])]
    );
    assert_eq!(
        callees_at(&f, 17),
        vec![&import("github.com/mattn/go-sqlite3", &["Version"])]
    );
    assert_eq!(
        callees_at(&f, 18),
        vec![&Callee::Global {
            path: vec!["ToUpper".into()]
        }]
    );
    assert_eq!(
        callees_at(&f, 19),
        vec![&import("io/ioutil", &["ReadFile"])]
    );
    // A blank import binds nothing.
    assert_eq!(
        callees_at(&f, 20),
        vec![&Callee::Global {
            path: vec!["pq".into(), "Open".into()]
        }]
    );
    assert_eq!(refs_at(&f, 14)[0].args.pos, vec![Arg::Str("ls".into())]);
}

#[test]
fn go_instances_from_constructions_declarations_and_params() {
    let f = facts(
        r#"package main

import "net/http"

func get(c *http.Client, u string) {
	c.Get(u)
	a := &http.Client{Timeout: 5}
	a.Do(nil)
	var b http.Client
	b.Head(u)
	d := new(http.Client)
	d.Post(u, "", nil)
	e := http.Client{}
	e.Do(nil)
	http.DefaultClient.Do(nil)
}
"#,
    );
    let client = |m: &str| import("net/http", &["Client", "()", m]);
    assert_eq!(callees_at(&f, 6), vec![&client("Get")]);
    let new = refs_at(&f, 7);
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].kind, RefKind::New);
    assert_eq!(new[0].callee, import("net/http", &["Client"]));
    assert_eq!(
        new[0].args.pos,
        vec![Arg::Obj(vec![("Timeout".into(), Arg::Num)])]
    );
    assert_eq!(callees_at(&f, 8), vec![&client("Do")]);
    assert_eq!(callees_at(&f, 10), vec![&client("Head")]);
    assert_eq!(refs_at(&f, 11)[0].kind, RefKind::New);
    assert_eq!(callees_at(&f, 12), vec![&client("Post")]);
    assert_eq!(callees_at(&f, 14), vec![&client("Do")]);
    assert_eq!(
        callees_at(&f, 15),
        vec![&import("net/http", &["DefaultClient", "Do"])]
    );
    assert_eq!(f.defs[def(&f, "get") as usize].params, vec!["c", "u"]);
}

#[test]
fn go_receivers_are_self_members_and_fields_are_typed() {
    let f = facts(
        r#"package main

import "net/http"

func (s *Server) fetch(u string) {
	s.client.Get(u)
	s.helper()
}

type Server struct {
	client *http.Client
	http.Handler
	name   string
}

func (Server) bare() {}
"#,
    );
    let server = def(&f, "Server");
    assert_eq!(f.defs[server as usize].kind, DefKind::Class);
    let fetch = def(&f, "fetch");
    assert_eq!(f.defs[fetch as usize].kind, DefKind::Method);
    assert_eq!(f.defs[fetch as usize].parent, Some(server));
    assert_eq!(f.defs[def(&f, "bare") as usize].parent, Some(server));
    assert_eq!(
        callees_at(&f, 6),
        vec![&Callee::SelfMember {
            class: Some(server),
            path: vec!["client".into(), "Get".into()]
        }]
    );
    assert_eq!(
        callees_at(&f, 7),
        vec![&Callee::SelfMember {
            class: Some(server),
            path: vec!["helper".into()]
        }]
    );
    assert_eq!(
        f.fields,
        vec![Field {
            class: server,
            name: "client".into(),
            value: import("net/http", &["Client", "()"])
        }]
    );
    assert_eq!(
        f.defs[server as usize].bases,
        vec![import("net/http", &["Handler"])]
    );
    let exported: Vec<&str> = f
        .exports
        .iter()
        .map(|e| match e {
            Export::Local { name, .. } => name.as_str(),
            Export::Star { module } => module.as_str(),
        })
        .collect();
    assert_eq!(exported, vec!["Server"]);
}

#[test]
fn go_calls_resolve_to_defs_globals_and_vars() {
    let f = facts(
        r#"package main

func local() {}

func main() {
	local()
	helper()
	fn := func() {}
	fn()
	var x interface{ Run() }
	x.Run()
	len("abc")
	_ = string([]byte("x"))
}
"#,
    );
    let local = def(&f, "local");
    assert_eq!(
        callees_at(&f, 6),
        vec![&Callee::Def {
            def: local,
            path: vec![]
        }]
    );
    assert_eq!(
        callees_at(&f, 7),
        vec![&Callee::Global {
            path: vec!["helper".into()]
        }]
    );
    assert!(matches!(callees_at(&f, 9)[0], Callee::Def { .. }));
    assert_eq!(
        callees_at(&f, 11),
        vec![&Callee::Var {
            name: "x".into(),
            path: vec!["Run".into()]
        }]
    );
    // Builtins and conversions are no references.
    assert!(callees_at(&f, 12).is_empty());
    assert!(callees_at(&f, 13).is_empty());
    let exported: Vec<&str> = f
        .exports
        .iter()
        .filter_map(|e| match e {
            Export::Local { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(exported, vec!["local", "main"]);
}

#[test]
fn go_mcp_registration_arguments() {
    let f = facts(
        r#"package main

import (
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	gosdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

const ToolName = "greet"

func main() {
	s := server.NewMCPServer("n", "1.0")
	tool := mcp.NewTool("read_file", mcp.WithString("path", mcp.Required()))
	s.AddTool(tool, readFile)
	s.AddTool(mcp.NewTool(ToolName), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return nil, nil
	})
	s.AddTools(server.ServerTool{Tool: mcp.NewTool("t2"), Handler: readFile})
	gosdk.AddTool(srv, &gosdk.Tool{Name: "hello", Description: `says hi`}, SayHi)
}
"#,
    );
    let srv = "github.com/mark3labs/mcp-go/server";
    let m = "github.com/mark3labs/mcp-go/mcp";
    let add = refs_at(&f, 14);
    assert_eq!(
        add[0].callee,
        import(srv, &["NewMCPServer", "()", "AddTool"])
    );
    // `tool` is passed as the call that made it.
    match &add[0].args.pos[0] {
        Arg::Call(c, inner) => {
            assert_eq!(c, &import(m, &["NewTool"]));
            assert_eq!(inner[0], Arg::Str("read_file".into()));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        add[0].args.pos[1],
        Arg::Path(Callee::Global {
            path: vec!["readFile".into()]
        })
    );
    let inline = refs_at(&f, 15)
        .into_iter()
        .find(|r| r.callee.last_name() == Some("AddTool"))
        .unwrap();
    assert_eq!(
        inline.args.pos[0],
        Arg::Call(import(m, &["NewTool"]), vec![Arg::Str("greet".into())])
    );
    assert!(
        matches!(inline.args.pos[1], Arg::Func(d) if f.defs[d as usize].kind == DefKind::Anonymous)
    );
    // `server.ServerTool{Tool: …, Handler: h}` is an object literal.
    let obj = f
        .objects
        .iter()
        .find(|o| o.line == 18)
        .expect("ServerTool literal");
    assert_eq!(obj.props[0].0, "Tool");
    assert_eq!(obj.props[1].0, "Handler");
    let sdk = refs_at(&f, 19)
        .into_iter()
        .find(|r| r.kind == RefKind::Call)
        .unwrap();
    assert_eq!(
        sdk.callee,
        import("github.com/modelcontextprotocol/go-sdk/mcp", &["AddTool"])
    );
    assert_eq!(
        sdk.args.pos[1],
        Arg::Obj(vec![
            ("Name".into(), Arg::Str("hello".into())),
            ("Description".into(), Arg::Str("says hi".into()))
        ])
    );
    assert_eq!(
        f.consts,
        vec![("ToolName".to_string(), "greet".to_string())]
    );
}

#[test]
fn go_args_strings_prefixes_and_lists() {
    let f = facts(
        r#"package main

import (
	"fmt"
	"os/exec"
	"net/http"
)

func f(x string) {
	exec.Command("sh", "-c", `echo hi`)
	http.Get("https://api.example.com/" + x)
	http.Get(fmt.Sprintf("https://h/%s", x))
	exec.Command("ls", []string{"-l", x}...)
}
"#,
    );
    assert_eq!(
        refs_at(&f, 10)[0].args.pos,
        vec![
            Arg::Str("sh".into()),
            Arg::Str("-c".into()),
            Arg::Str("echo hi".into())
        ]
    );
    // A concatenation keeps both parts: the literal prefix and what follows.
    let url = &refs_at(&f, 11)[0].args.pos;
    assert_eq!(url[0].literal_prefix(), Some("https://api.example.com/"));
    assert!(
        matches!(&url[0], Arg::Concat(parts) if parts.len() == 2),
        "{url:?}"
    );
    let get = refs_at(&f, 12)
        .into_iter()
        .find(|r| r.callee.last_name() == Some("Get"))
        .unwrap();
    assert_eq!(get.args.pos, vec![Arg::Prefix("https://h/".into())]);
}

#[test]
fn go_switch_and_if_labels() {
    let f = facts(
        r#"package main

func dispatch(name string) {
	switch name {
	case "read", "cat":
		doRead()
	default:
		other()
	}
	if name == "write" || "put" == name {
		doWrite()
	}
	switch {
	case name == "rm":
		doRm()
	}
}
"#,
    );
    assert_eq!(refs_at(&f, 6)[0].labels, vec!["read", "cat"]);
    assert!(refs_at(&f, 8)[0].labels.is_empty());
    assert_eq!(refs_at(&f, 11)[0].labels, vec!["write", "put"]);
    assert_eq!(refs_at(&f, 15)[0].labels, vec!["rm"]);
}

#[test]
fn go_access_refs_for_package_values() {
    let f = facts(
        r#"package main

import "runtime"
import "C"

func f() string {
	C.free(nil)
	return runtime.GOOS
}
"#,
    );
    assert_eq!(callees_at(&f, 7), vec![&import("C", &["free"])]);
    let r = refs_at(&f, 8);
    assert_eq!(r[0].kind, RefKind::Access);
    assert_eq!(r[0].callee, import("runtime", &["GOOS"]));
}

#[test]
fn go_malformed_input_does_not_panic() {
    for src in [
        "package main\nfunc (s *) x( {\n exec.Command(\"ls\"\n",
        "import \"os\"\n}}}} os.Remove(",
        "package\nfunc",
        "",
        "package main\nvar x = map[string]func(){\"a\": func(){ x[\"a\"]( }}",
        "package main\ntype T struct { a, b *http.Client; ",
    ] {
        let f = facts(src);
        assert!(f.syntax_errors > 0 || src.is_empty(), "{src}");
    }
}

#[test]
fn go_deep_nesting_is_truncated_not_overflowed() {
    let depth = 3000;
    let mut src = String::from("package main\nfunc f() {\n x := ");
    for _ in 0..depth {
        src.push_str("g(");
    }
    src.push('1');
    for _ in 0..depth {
        src.push(')');
    }
    src.push_str("\n}\n");
    let f = facts(&src);
    assert!(f.truncated);
    let mut src = String::from("package main\nfunc f() {\n");
    for _ in 0..depth {
        src.push_str("if a {\n");
    }
    for _ in 0..depth {
        src.push_str("}\n");
    }
    src.push_str("}\n");
    let f = facts(&src);
    assert!(f.truncated);
}

#[test]
fn go_conversions_pass_their_operand_and_hyphenated_packages_bind() {
    let f = facts(
        r#"package main

import (
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/metoro-io/mcp-golang"
)

type ToolName string

const (
	ECHO ToolName = "echo"
)

func main() {
	mcp.NewTool(string(ECHO))
	mcp.NewTool(ToolName("add"))
	mcp_golang.NewServer(nil)
}
"#,
    );
    assert_eq!(refs_at(&f, 15)[0].args.pos, vec![Arg::Str("echo".into())]);
    assert_eq!(refs_at(&f, 16)[0].args.pos, vec![Arg::Str("add".into())]);
    assert_eq!(
        callees_at(&f, 17),
        vec![&import("github.com/metoro-io/mcp-golang", &["NewServer"])]
    );
}

#[test]
fn go_parse_debris_does_not_make_a_type_its_own_base() {
    // A broken function body leaves `mockSession := &mockSamplingSession{...}` at top level.
    let f = facts(
        r#"package server

type mockSession struct{ id string }

type mockSamplingSession struct {
	mockSession
	r
sult *int
}

func TestX(t *testing.T) {
	if m.err != nil {
		return nil, m.[rr
	}
	mockSession := &mockSamplingSession{mockSession: mockSession{id: "x"}}
"#,
    );
    assert!(f.syntax_errors > 0);
    let sampling = def(&f, "mockSamplingSession");
    for b in &f.defs[sampling as usize].bases {
        assert!(!b.through_call(), "{b:?}");
        assert_ne!(
            b,
            &Callee::Def {
                def: sampling,
                path: vec![]
            }
        );
    }
}

#[test]
fn go_receiver_of_a_type_declared_elsewhere_is_an_instance() {
    let f = facts(
        r#"package main

func (s *Server) fetch(u string) {
	s.client.Get(u)
}
"#,
    );
    assert_eq!(
        callees_at(&f, 4),
        vec![&Callee::Global {
            path: vec!["Server".into(), "()".into(), "client".into(), "Get".into()]
        }]
    );
    assert_eq!(f.defs[def(&f, "fetch") as usize].parent, None);
}
