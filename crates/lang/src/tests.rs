use super::*;

fn facts(lang: Lang, src: &str) -> FileFacts {
    extract(lang, src.as_bytes()).expect("parses")
}

/// A call of an unbound or undefined name (`doA()`): the global or variable it names.
fn named(r: &Ref, name: &str) -> bool {
    match &r.callee {
        Callee::Global { path } => path.len() == 1 && path[0] == name,
        Callee::Var { name: n, path } => path.is_empty() && n == name,
        _ => false,
    }
}

fn callee_at(f: &FileFacts, line: u32) -> Vec<&Callee> {
    f.refs
        .iter()
        .filter(|r| r.line == line)
        .map(|r| &r.callee)
        .collect()
}

fn import(module: &str, path: &[&str]) -> Callee {
    Callee::Import {
        module: module.into(),
        path: path.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn every_grammar_loads() {
    for lang in [
        Lang::TypeScript,
        Lang::Tsx,
        Lang::JavaScript,
        Lang::Python,
        Lang::Go,
        Lang::Rust,
        Lang::Java,
        Lang::Kotlin,
        Lang::CSharp,
    ] {
        assert!(parse_only(lang, b"x").is_ok(), "{lang:?}");
    }
}

#[test]
fn js_import_styles_resolve() {
    let f = facts(
        Lang::TypeScript,
        r#"import { exec as run } from "node:child_process";
import * as cp from "child_process";
const { spawn: sp } = require("child_process");
import fs = require("fs");
const p = require("fs").promises;
run("ls");
cp.execFile("git");
sp("x");
fs.readFileSync("a");
p.readFile("b");
"#,
    );
    assert_eq!(
        callee_at(&f, 6),
        vec![&import("node:child_process", &["exec"])]
    );
    assert_eq!(
        callee_at(&f, 7),
        vec![&import("child_process", &["execFile"])]
    );
    assert_eq!(callee_at(&f, 8), vec![&import("child_process", &["spawn"])]);
    assert_eq!(callee_at(&f, 9), vec![&import("fs", &["readFileSync"])]);
    assert_eq!(
        callee_at(&f, 10),
        vec![&import("fs", &["promises", "readFile"])]
    );
    assert_eq!(
        f.refs.iter().find(|r| r.line == 6).unwrap().args.pos,
        vec![Arg::Str("ls".into())]
    );
}

#[test]
fn js_shadowing_turns_globals_into_locals() {
    let f = facts(
        Lang::JavaScript,
        "function go(fetch) {\n  fetch('x');\n}\nfetch('y');\nfunction exec() {}\nexec();\n",
    );
    assert!(matches!(callee_at(&f, 2)[0], Callee::Var { .. }));
    assert_eq!(
        callee_at(&f, 4)[0],
        &Callee::Global {
            path: vec!["fetch".into()]
        }
    );
    assert!(matches!(callee_at(&f, 6)[0], Callee::Def { .. }));
}

#[test]
fn js_env_reads_and_instances() {
    let f = facts(
        Lang::JavaScript,
        "const key = process.env.API_KEY;\nconst { HOME } = process.env;\nconst app = express();\napp.listen(3000);\nimport express from 'express';\nhttp.createServer(h).listen(1);\n",
    );
    assert_eq!(
        callee_at(&f, 1),
        vec![&Callee::Global {
            path: vec!["process".into(), "env".into(), "API_KEY".into()]
        }]
    );
    assert_eq!(
        callee_at(&f, 2),
        vec![&Callee::Global {
            path: vec!["process".into(), "env".into(), "HOME".into()]
        }]
    );
    assert!(callee_at(&f, 4).contains(&&import("express", &["default", "()", "listen"])));
    let six = callee_at(&f, 6);
    assert!(
        six.contains(&&Callee::Global {
            path: vec![
                "http".into(),
                "createServer".into(),
                "()".into(),
                "listen".into()
            ]
        }),
        "{six:?}"
    );
}

#[test]
fn js_switch_and_if_labels() {
    let f = facts(
        Lang::TypeScript,
        "const T = 'b';\nswitch (name) {\n  case 'a':\n  case T: {\n    doA();\n    break;\n  }\n  default:\n    other();\n}\nif (name === 'c') { doC(); }\n",
    );
    let r = f.refs.iter().find(|r| named(r, "doA")).unwrap();
    assert_eq!(r.labels, vec!["a".to_string(), "b".to_string()]);
    assert!(f
        .refs
        .iter()
        .find(|r| named(r, "other"))
        .unwrap()
        .labels
        .is_empty());
    assert_eq!(
        f.refs.iter().find(|r| named(r, "doC")).unwrap().labels,
        vec!["c".to_string()]
    );
}

#[test]
fn js_exports_and_objects() {
    let f = facts(
        Lang::TypeScript,
        "export function a() {}\nexport const b = () => 1;\nexport * from './c.js';\nexport { d as e } from './d.js';\nconst TOOLS = [{ name: 'x', inputSchema: {}, handler: a }];\nmodule.exports = { a };\n",
    );
    assert!(f
        .exports
        .iter()
        .any(|e| matches!(e, Export::Local { name, target: Callee::Def { .. } } if name == "a")));
    assert!(f
        .exports
        .iter()
        .any(|e| matches!(e, Export::Local { name, target: Callee::Def { .. } } if name == "b")));
    assert!(f.exports.contains(&Export::Star {
        module: "./c.js".into()
    }));
    assert!(f.exports.contains(&Export::Local {
        name: "e".into(),
        target: import("./d.js", &["d"])
    }));
    let named: Vec<_> = f.objects.iter().filter(|o| o.name_line > 0).collect();
    assert_eq!(named.len(), 1);
    assert_eq!(
        named[0].props[0],
        ("name".to_string(), Arg::Str("x".into()))
    );
}

#[test]
fn python_imports_aliases_and_builtins() {
    let f = facts(
        Lang::Python,
        "import subprocess as sp\nfrom os import environ\nimport os.path\nfrom .helpers import fetch_json as fj\nsp.run(['git', 'status'], shell=True)\nenviron['HOME']\nos.path.exists('x')\nfj('u')\nopen('f', 'w')\ndef g(open):\n    open('x')\n",
    );
    assert_eq!(callee_at(&f, 5), vec![&import("subprocess", &["run"])]);
    let r = f.refs.iter().find(|r| r.line == 5).unwrap();
    assert_eq!(r.args.kw("shell"), Some(&Arg::Bool(true)));
    assert_eq!(
        r.args.pos[0],
        Arg::List(vec![Some("git".into()), Some("status".into())])
    );
    assert_eq!(callee_at(&f, 6), vec![&import("os", &["environ", "HOME"])]);
    assert_eq!(callee_at(&f, 7), vec![&import("os", &["path", "exists"])]);
    assert_eq!(callee_at(&f, 8), vec![&import(".helpers", &["fetch_json"])]);
    assert_eq!(
        callee_at(&f, 9),
        vec![&Callee::Global {
            path: vec!["open".into()]
        }]
    );
    assert!(matches!(callee_at(&f, 11)[0], Callee::Var { .. }));
}

#[test]
fn python_decorators_dispatch_and_self() {
    let f = facts(
        Lang::Python,
        "mcp = FastMCP('x')\n@mcp.tool(name='s')\nasync def search(q):\n    return helper(q)\nasync def call_tool(name, args):\n    if name == 'a':\n        do_a()\n    match name:\n        case 'b' | 'c':\n            do_b()\nclass K(Base):\n    def m(self):\n        self.n()\n",
    );
    let dec = f.refs.iter().find(|r| r.decorates.is_some()).unwrap();
    assert_eq!(dec.args.kw("name"), Some(&Arg::Str("s".into())));
    assert_eq!(f.defs[dec.decorates.unwrap() as usize].name, "search");
    assert_eq!(
        f.refs.iter().find(|r| named(r, "do_a")).unwrap().labels,
        vec!["a".to_string()]
    );
    assert_eq!(
        f.refs.iter().find(|r| named(r, "do_b")).unwrap().labels,
        vec!["b".to_string(), "c".to_string()]
    );
    let selfcall = f
        .refs
        .iter()
        .find(|r| matches!(&r.callee, Callee::SelfMember { .. }))
        .unwrap();
    assert!(
        matches!(&selfcall.callee, Callee::SelfMember { class: Some(_), path } if path == &vec!["n".to_string()])
    );
    let k = f.defs.iter().find(|d| d.name == "K").unwrap();
    assert_eq!(k.bases.len(), 1);
}

#[test]
fn syntax_errors_are_counted_not_fatal() {
    let f = facts(
        Lang::Python,
        "import os\nos.system('x')\ndef broken(:\n    pass\n",
    );
    assert!(f.syntax_errors > 0);
    assert!(f.refs.iter().any(|r| r.callee == import("os", &["system"])));
}

/// The branch values of the innermost branch a call on `line` sits in, with
/// the subject's last name, and the values of the enclosing branches.
fn branch_at(f: &FileFacts, line: u32) -> Vec<(String, Vec<String>)> {
    let r = f
        .refs
        .iter()
        .find(|r| r.line == line)
        .expect("a ref on the line");
    let mut out = vec![];
    let mut b = r.branch;
    while let Some(i) = b {
        let br = &f.branches[i as usize];
        let subject = match &br.subject {
            Arg::Path(c) => c
                .last_name()
                .map(str::to_string)
                .or_else(|| match c {
                    Callee::Var { name, .. } => Some(name.clone()),
                    _ => None,
                })
                .unwrap_or_default(),
            Arg::Call(_, a) => a.first().and_then(|x| x.as_str()).unwrap_or("").to_string(),
            _ => String::new(),
        };
        out.push((subject, br.values.iter().map(|(v, _)| v.clone()).collect()));
        b = br.parent;
    }
    out
}

fn pair(subject: &str, values: &[&str]) -> (String, Vec<String>) {
    (
        subject.to_string(),
        values.iter().map(|v| v.to_string()).collect(),
    )
}

#[test]
fn js_branches_record_their_subject_and_nesting() {
    let f = extract(
        Lang::TypeScript,
        br#"async function handle(name: string, args: any) {
  switch (name) {
    case "files":
      switch (args.action) {
        case "list":
        case "ls":
          return fs.readdir(args.path);
        case "delete":
          return fs.rm(args.path);
      }
      break;
  }
  if (args.mode === "a" || args.mode === "b") {
    log();
  }
  return HANDLERS[args.op](args);
}
"#,
    )
    .unwrap();
    assert_eq!(
        branch_at(&f, 7),
        vec![pair("action", &["list", "ls"]), pair("name", &["files"])]
    );
    assert_eq!(
        branch_at(&f, 9),
        vec![pair("action", &["delete"]), pair("name", &["files"])]
    );
    assert_eq!(branch_at(&f, 14), vec![pair("mode", &["a", "b"])]);
    // A table looked up on a computed key: a branch whose values the analyser fills.
    assert_eq!(branch_at(&f, 16), vec![pair("op", &[])]);
    let list = f
        .branches
        .iter()
        .find(|b| b.values.iter().any(|(v, _)| v == "ls"))
        .unwrap();
    assert_eq!(
        list.values,
        vec![("list".to_string(), 5), ("ls".to_string(), 6)]
    );
}

#[test]
fn python_branches_record_their_subject_and_nesting() {
    let f = extract(
        Lang::Python,
        br#"def call(name, arguments):
    if name == "files":
        action = arguments.get("action")
        if action == "list":
            os.listdir(arguments["path"])
        elif action in ("rm", "delete"):
            os.remove(arguments["path"])
    match arguments.get("op"):
        case "x" | "y":
            run_x()
    return TABLE[arguments["op"]](arguments)
"#,
    )
    .unwrap();
    assert_eq!(
        branch_at(&f, 5),
        vec![pair("action", &["list"]), pair("name", &["files"])]
    );
    assert_eq!(
        branch_at(&f, 7),
        vec![pair("action", &["rm", "delete"]), pair("name", &["files"])]
    );
    assert_eq!(branch_at(&f, 10), vec![pair("op", &["x", "y"])]);
    assert_eq!(branch_at(&f, 11), vec![pair("op", &[])]);
}

#[test]
fn js_functions_stored_under_another_name() {
    let src = "const get = globalThis.fetch;\n\
               const env = process.env.HOME;\n\
               get('u');\n\
               class C { constructor(f) { this.#f = f ?? fetch; } go() { return this.#f('u'); } }\n";
    let f = facts(Lang::JavaScript, src);
    // The alias is called: the read where it is stored is no use.
    assert!(callee_at(&f, 1).is_empty());
    // A value read and kept (never called) stays a read.
    assert_eq!(callee_at(&f, 2).len(), 1);
    // The field holds the global function it may be called as.
    let field = f.fields.iter().find(|x| x.name == "f").expect("field");
    assert_eq!(
        field.value,
        Callee::Global {
            path: vec!["fetch".into()]
        }
    );
}

#[test]
fn js_computed_keys_are_recorded_as_labels() {
    let src = "import { searchTool } from './search.js';\n\
               const LOCAL = 'local_tool';\n\
               function doPlain() {}\n\
               function doLocal() {}\n\
               function doSearch() {}\n\
               const HANDLERS = { plain: doPlain, [LOCAL]: doLocal, [searchTool.name]: doSearch };\n";
    let f = facts(Lang::JavaScript, src);
    let o = f
        .objects
        .iter()
        .find(|o| o.binding.as_deref() == Some("HANDLERS"))
        .expect("table");
    assert_eq!(o.props.len(), 1);
    let keys: Vec<&str> = o.computed.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(keys[0], "local_tool");
    // Another module's constant: a symbolic label naming its path.
    let i = symbolic_label(keys[1]).expect("symbolic");
    assert_eq!(
        f.label_paths[i],
        import("./search.js", &["searchTool", "name"])
    );
}

#[test]
fn call_of_a_choice_calls_each_named_side() {
    let f = facts(
        Lang::JavaScript,
        "function a(x) {}\nfunction b(x) {}\nlet c = null;\n\
         async function h(p, fast) {\n\
         const r = await (c || a)(p);\n\
         (fast ? a : b)(p);\n\
         const k = (p?.factory ?? b)(p);\n\
         }\n",
    );
    let def = |n: &str| f.defs.iter().position(|d| d.name == n).expect("def") as u32;
    let calls = |line: u32| -> Vec<Callee> { callee_at(&f, line).into_iter().cloned().collect() };
    let d = |n: &str| Callee::Def {
        def: def(n),
        path: vec![],
    };
    assert!(calls(5).contains(&d("a")), "{:?}", calls(5));
    assert!(
        calls(6).contains(&d("a")) && calls(6).contains(&d("b")),
        "{:?}",
        calls(6)
    );
    assert!(calls(7).contains(&d("b")), "{:?}", calls(7));
}
