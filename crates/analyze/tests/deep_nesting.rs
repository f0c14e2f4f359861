//! Hostile input: 20,000 levels of nesting (calls, arrays, binary operators,
//! member and call chains, parentheses, lambdas, blocks) in each of the eight
//! languages. A scan must finish on a default 2 MiB test-thread stack (a
//! stack overflow aborts the whole process), still see the code that follows
//! the deep expression, and report a depth-capped file as `truncated`.
//!
//! `MCPWARDEN_DEEP_DUMP=DIR` writes the generated servers to DIR instead (one
//! folder per language), to run the CLI on them by hand.

use mcpwarden_analyze::{scan, Options};
use mcpwarden_model::{Reach, ServerReport};
use std::path::Path;

const N: usize = 20_000;

fn rep(s: &str, n: usize) -> String {
    s.repeat(n)
}

/// `open` × N, `mid`, `close` × N.
fn nest(open: &str, mid: &str, close: &str) -> String {
    format!("{}{mid}{}", rep(open, N), rep(close, N))
}

/// The deep expressions every C-like language shares.
fn c_like() -> Vec<(&'static str, String)> {
    vec![
        ("calls", nest("f(", "1", ")")),
        ("binary", format!("1{}", rep(" + 1", N))),
        ("members", format!("a{}", rep(".b", N))),
        ("chain", format!("a{}", rep(".b()", N))),
        ("chain_args", format!("a{}", rep(".b(1)", N))),
        ("parens", nest("(", "1", ")")),
        ("strings", format!("\"a\"{}", rep(" + \"a\"", N))),
    ]
}

/// (language, file extension, deep expressions, file template with `EXPR`).
/// The template reads an environment variable after the deep expression: the
/// analysis must go on past it.
struct Lang {
    name: &'static str,
    ext: &'static str,
    exprs: Vec<(&'static str, String)>,
    /// Whole-file sources that are not one expression (nested blocks).
    files: Vec<(&'static str, String)>,
    template: &'static str,
}

fn js_like(name: &'static str, ext: &'static str) -> Lang {
    let mut exprs = c_like();
    exprs.push(("arrays", nest("[", "1", "]")));
    exprs.push(("objects", nest("{a: ", "1", "}")));
    exprs.push(("lambdas", format!("{}1", rep("() => ", N))));
    exprs.push(("functions", nest("function () { return ", "1", " }")));
    exprs.push(("new", nest("new F(", "1", ")")));
    exprs.push(("ternary", format!("{}1", rep("x ? 1 : ", N))));
    exprs.push(("template", nest("`${", "1", "}`")));
    exprs.push(("await", format!("{}1", rep("await ", N))));
    let blocks = format!(
        "const x = 1;\n{}\nconsole.log(process.env.HOME);\n",
        nest("if (x) { ", "f();", " }")
    );
    Lang {
        name,
        ext,
        exprs,
        files: vec![("blocks", blocks), js_chain()],
        template: "const v = EXPR;\nconsole.log(v, process.env.HOME);\n",
    }
}

fn js_chain() -> (&'static str, String) {
    let def = |i: usize| format!("function f{i}() {{ return f{}(); }}\n", i + 1);
    let last = format!("function f{N}() {{ return process.env.HOME; }}\n");
    ("call_graph", chain("", def, &last, "f0();\n"))
}

fn python() -> Lang {
    let exprs = vec![
        ("calls", nest("f(", "1", ")")),
        ("binary", format!("1{}", rep(" + 1", N))),
        ("members", format!("a{}", rep(".b", N))),
        ("chain", format!("a{}", rep(".b()", N))),
        ("parens", nest("(", "1", ")")),
        ("arrays", nest("[", "1", "]")),
        ("dicts", nest("{'a': ", "1", "}")),
        ("lambdas", format!("{}1", rep("lambda: ", N))),
        ("ternary", format!("{}1", rep("1 if x else ", N))),
        ("strings", format!("'a'{}", rep(" + 'a'", N))),
        ("subscripts", nest("a[", "1", "]")),
        ("comprehensions", nest("[x for x in ", "y", "]")),
        ("awaits", format!("{}x", rep("await ", N))),
        ("not", format!("{}x", rep("not ", N))),
    ];
    Lang {
        name: "python",
        ext: "py",
        exprs,
        files: vec![(
            "call_graph",
            chain(
                "import os\n",
                |i| format!("def f{i}():\n    return f{}()\n", i + 1),
                &format!("def f{N}():\n    return os.getenv('HOME')\n"),
                "f0()\n",
            ),
        )],
        template: "import os\nv = EXPR\nprint(v, os.getenv('HOME'))\n",
    }
}

fn go() -> Lang {
    let mut exprs = c_like();
    exprs.push(("arrays", nest("[]any{", "1", "}")));
    exprs.push(("lambdas", nest("func() any { return ", "1", " }")));
    exprs.push(("unary", format!("{}x", rep("-", N))));
    let blocks = format!(
        "package main\n\nimport \"os\"\n\nfunc main() {{\n{}\n\tprintln(os.Getenv(\"HOME\"))\n}}\n",
        nest("{ ", "f()", " }")
    );
    let graph = chain(
        "package main\n\nimport \"os\"\n\n",
        |i| format!("func f{i}() string {{ return f{}() }}\n", i + 1),
        &format!("func f{N}() string {{ return os.Getenv(\"HOME\") }}\n"),
        "func main() { println(f0()) }\n",
    );
    Lang {
        name: "go",
        ext: "go",
        exprs,
        files: vec![("blocks", blocks), ("call_graph", graph)],
        template: "package main\n\nimport \"os\"\n\nfunc main() {\n\tv := EXPR\n\tprintln(v, os.Getenv(\"HOME\"))\n}\n",
    }
}

fn rust() -> Lang {
    let mut exprs = c_like();
    exprs.push(("arrays", nest("[", "1", "]")));
    exprs.push(("lambdas", format!("{}1", rep("|| ", N))));
    exprs.push(("blocks", nest("{ ", "1", " }")));
    exprs.push(("macros", nest("vec![", "1", "]")));
    exprs.push(("try", format!("a{}", rep("?", N))));
    exprs.push(("unary", format!("{}x", rep("!", N))));
    exprs.push(("refs", format!("{}x", rep("& ", N))));
    Lang {
        name: "rust",
        ext: "rs",
        exprs,
        files: vec![(
            "call_graph",
            chain(
                "",
                |i| format!("fn f{i}() -> Option<String> {{ f{}() }}\n", i + 1),
                &format!("fn f{N}() -> Option<String> {{ std::env::var(\"HOME\").ok() }}\n"),
                "fn main() { f0(); }\n",
            ),
        )],
        template:
            "fn main() {\n    let v = EXPR;\n    println!(\"{:?}\", std::env::var(\"HOME\"));\n}\n",
    }
}

fn java() -> Lang {
    let mut exprs = c_like();
    exprs.push(("arrays", nest("new Object[]{", "1", "}")));
    exprs.push(("lambdas", format!("{}1", rep("() -> ", N))));
    exprs.push(("new", nest("new F(", "1", ")")));
    exprs.push(("ternary", format!("{}1", rep("x ? 1 : ", N))));
    exprs.push(("casts", format!("{}x", rep("(Object) ", N))));
    let blocks = format!(
        "class A {{\n  void m() {{\n{}\n    System.out.println(System.getenv(\"HOME\"));\n  }}\n}}\n",
        nest("{ ", "f();", " }")
    );
    Lang {
        name: "java",
        ext: "java",
        exprs,
        files: vec![(
            "blocks", blocks), (
            "call_graph",
            chain(
                "class A {\n",
                |i| format!("  static String f{i}() {{ return f{}(); }}\n", i + 1),
                &format!("  static String f{N}() {{ return System.getenv(\"HOME\"); }}\n"),
                "  public static void main(String[] a) { f0(); }\n}\n",
            ),
        )],
        template: "class A {\n  void m() {\n    Object v = EXPR;\n    System.out.println(System.getenv(\"HOME\"));\n  }\n}\n",
    }
}

fn kotlin() -> Lang {
    let mut exprs = c_like();
    exprs.push(("arrays", nest("arrayOf(", "1", ")")));
    exprs.push(("lambdas", nest("{ ", "1", " }")));
    exprs.push(("ifs", format!("{}1", rep("if (x) 1 else ", N))));
    exprs.push(("safe_calls", format!("a{}", rep("?.b()", N))));
    exprs.push(("strings_tpl", nest("\"${", "1", "}\"")));
    Lang {
        name: "kotlin",
        ext: "kt",
        exprs,
        files: vec![(
            "call_graph",
            chain(
                "",
                |i| format!("fun f{i}(): String? = f{}()\n", i + 1),
                &format!("fun f{N}(): String? = System.getenv(\"HOME\")\n"),
                "fun main() { f0() }\n",
            ),
        )],
        template: "fun main() {\n    val v = EXPR\n    println(System.getenv(\"HOME\"))\n}\n",
    }
}

fn csharp() -> Lang {
    let mut exprs = c_like();
    exprs.push(("arrays", nest("new object[]{", "1", "}")));
    exprs.push(("lambdas", format!("{}1", rep("() => ", N))));
    exprs.push(("new", nest("new F(", "1", ")")));
    exprs.push(("ternary", format!("{}1", rep("x ? 1 : ", N))));
    exprs.push(("casts", format!("{}x", rep("(object) ", N))));
    exprs.push(("await", format!("{}x", rep("await ", N))));
    let blocks = format!(
        "class A {{\n  void M() {{\n{}\n    System.Console.WriteLine(System.Environment.GetEnvironmentVariable(\"HOME\"));\n  }}\n}}\n",
        nest("{ ", "F();", " }")
    );
    Lang {
        name: "csharp",
        ext: "cs",
        exprs,
        files: vec![(
            "blocks", blocks), (
            "call_graph",
            chain(
                "class A {\n",
                |i| format!("  static string F{i}() {{ return F{}(); }}\n", i + 1),
                &format!("  static string F{N}() {{ return System.Environment.GetEnvironmentVariable(\"HOME\"); }}\n"),
                "  static void Main() { F0(); }\n}\n",
            ),
        )],
        template: "class A {\n  void M() {\n    object v = EXPR;\n    System.Console.WriteLine(System.Environment.GetEnvironmentVariable(\"HOME\"));\n  }\n}\n",
    }
}

/// A call chain N functions long (`f0` calls `f1` … calls the last, which
/// reads an environment variable), called from the start: the graph and the
/// reach walk must follow it all the way. `def` formats function `i` calling
/// `i + 1`; `last` is the final function; `head`/`tail` wrap them.
fn chain(head: &str, def: impl Fn(usize) -> String, last: &str, tail: &str) -> String {
    let mut s = String::from(head);
    for i in 0..N {
        s.push_str(&def(i));
    }
    s.push_str(last);
    s.push_str(tail);
    s
}

/// Writes one server per case of `lang` under `dir`: `dir/<case>/deep.<ext>`.
fn write_cases(lang: &Lang, dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    let mut out = vec![];
    let sources = lang
        .exprs
        .iter()
        .map(|(n, e)| (*n, lang.template.replace("EXPR", e)))
        .chain(lang.files.iter().map(|(n, s)| (*n, s.clone())));
    for (case, src) in sources {
        let d = dir.join(case);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(format!("deep.{}", lang.ext)), src).unwrap();
        out.push((case.to_string(), d));
    }
    out
}

fn all() -> Vec<Lang> {
    vec![
        js_like("typescript", "ts"),
        js_like("javascript", "js"),
        python(),
        go(),
        rust(),
        java(),
        kotlin(),
        csharp(),
    ]
}

/// Runs `f` on a thread with the default test stack (2 MiB), the size the
/// analyser must live with; a panic there fails the test instead of hiding.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .expect("scan thread panicked")
}

fn check(case: &str, report: &ServerReport) {
    let env: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.kind.as_str() == "sys.env")
        .collect();
    assert!(
        !env.is_empty(),
        "{case}: the environment read after the deep expression was not found"
    );
    if case.ends_with("call_graph") {
        // Reached from the start through all N calls.
        assert!(
            env.iter().all(|f| f.reach == Reach::Startup),
            "{case}: {:?}",
            env.iter().map(|f| f.reach).collect::<Vec<_>>()
        );
    }
    for s in &report.skipped {
        assert!(
            s.reason.starts_with("truncated: nesting too deep"),
            "{case}: skipped {} ({})",
            s.path,
            s.reason
        );
    }
}

fn run_lang(lang: Lang) {
    if let Ok(dump) = std::env::var("MCPWARDEN_DEEP_DUMP") {
        write_cases(&lang, &Path::new(&dump).join(lang.name));
        return;
    }
    let tmp = std::env::temp_dir().join(format!(
        "mcpwarden-deep-{}-{}",
        lang.name,
        std::process::id()
    ));
    let cases = write_cases(&lang, &tmp);
    for (case, dir) in cases {
        let name = format!("{} {case}", lang.name);
        let d = dir.clone();
        let report = on_small_stack(move || scan(&d, &Options::default()));
        let report = report.unwrap_or_else(|e| panic!("{name}: {e:?}"));
        check(&name, &report);
        // Rendering the report walks it too.
        serde_json::to_string(&report).unwrap();
    }
    std::fs::remove_dir_all(&tmp).ok();
}

macro_rules! lang_test {
    ($test:ident, $lang:expr) => {
        #[test]
        fn $test() {
            run_lang($lang);
        }
    };
}

lang_test!(deep_typescript, js_like("typescript", "ts"));
lang_test!(deep_javascript, js_like("javascript", "js"));
lang_test!(deep_python, python());
lang_test!(deep_go, go());
lang_test!(deep_rust, rust());
lang_test!(deep_java, java());
lang_test!(deep_kotlin, kotlin());
lang_test!(deep_csharp, csharp());

/// Every language has cases (guards the generator itself).
#[test]
fn every_language_is_generated() {
    assert_eq!(all().len(), 8);
    assert!(all().iter().all(|l| l.exprs.len() >= 6));
}

/// A class whose base resolves through the class itself (`class A extends
/// A.B`, seen in a real bundle): looking a method up in the bases recursed
/// through the linker without end.
#[test]
fn bases_through_the_class_itself_end() {
    let cases = [
        ("a.js", "class A extends A.B {}\nnew A().foo();\nconsole.log(process.env.HOME);\n"),
        ("a.ts", "class A extends A.B {}\nnew A().foo();\nconsole.log(process.env.HOME);\n"),
        ("a.py", "import os\n\nclass A(A.B):\n    pass\n\nA().foo()\nos.getenv('HOME')\n"),
        (
            "A.java",
            "class A extends A.B { void m() { new A().foo(); System.getenv(\"HOME\"); } }\n",
        ),
        ("a.kt", "open class A : A.B() { fun m() { A().foo(); System.getenv(\"HOME\") } }\n"),
        (
            "A.cs",
            "class A : A.B { void M() { new A().Foo(); System.Environment.GetEnvironmentVariable(\"HOME\"); } }\n",
        ),
    ];
    let tmp = std::env::temp_dir().join(format!("mcpwarden-selfbase-{}", std::process::id()));
    for (name, src) in cases {
        let d = tmp.join(name.replace('.', "_"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(name), src).unwrap();
        let report = on_small_stack(move || scan(&d, &Options::default()));
        check(name, &report.unwrap());
    }
    std::fs::remove_dir_all(&tmp).ok();
}
