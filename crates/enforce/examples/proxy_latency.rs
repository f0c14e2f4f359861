//! Benchmark (not a test): added latency per message through `mcpwarden run`
//! (p50/p99 of the round trip, proxied minus direct) and round-trip
//! throughput, against a direct connection to the same server.
//!
//! cargo run --release -p mcpwarden-enforce --example proxy_latency -- [N]
//! The server is this example itself (`--echo-server`): it answers each
//! request at once, so what is measured is the transport and the proxy. The
//! proxy is `mcpwarden_enforce::run::run`, the code behind `mcpwarden run`,
//! started in a child process of this example (`--proxy`), which also plays
//! the sandbox launcher (`run --sandbox-init`), so only this crate is built.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--echo-server") => return echo_server(),
        Some("run") => mcpwarden_enforce::sandbox::init::main(),
        Some("--proxy") => proxy(args.get(2).map(String::as_str) == Some("sandbox")),
        _ => {}
    }
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let me = std::env::current_exe().unwrap().display().to_string();
    let direct = vec![me.clone(), "--echo-server".into()];
    let proxy = vec![me.clone(), "--proxy".into(), "nosandbox".into()];
    let both = vec![me, "--proxy".into(), "sandbox".into()];
    // Best of three runs each: the machine may be shared.
    let best = |name: &str, cmd: &[String]| {
        (0..3)
            .map(|_| measure(name, cmd, n))
            .min_by(|a, b| a.p50.cmp(&b.p50))
            .unwrap()
    };
    let base = best("direct", &direct);
    for (name, cmd) in [("proxy", &proxy), ("proxy+sandbox", &both)] {
        let r = best(name, cmd);
        println!(
            "{name:>14}: added latency p50 {:.1} us, p99 {:.1} us; throughput {:.0} msg/s ({:.0}% of direct)",
            us(r.p50) - us(base.p50),
            us(r.p99) - us(base.p99),
            r.rate,
            100.0 * r.rate / base.rate
        );
    }
}

/// The proxy (and, with `sandbox`, the sandbox) in front of the echo server.
fn proxy(sandbox: bool) -> ! {
    use mcpwarden_enforce::run::{run, RunOptions};
    let me = std::env::current_exe().unwrap().display().to_string();
    let o = RunOptions {
        manifest: mcpwarden_policy::Manifest::from_json(MANIFEST).unwrap(),
        cmd: vec![me, "--echo-server".into()],
        grant_fs: vec!["/tmp/bench".into()],
        grant_hosts: vec![],
        grant_commands: vec![],
        mode: mcpwarden_enforce::Mode::Enforce,
        audit_log: None,
        remember: None,
        strict: false,
        sandbox,
        proxy: true,
        max_line: mcpwarden_enforce::framing::MAX_LINE,
    };
    std::process::exit(run(o).unwrap_or_else(|e| panic!("{}", e.0)))
}

const MANIFEST: &str = r#"{"schema":"mcpwarden/manifest/v1","server":{"name":"echo","source":"bench","analyser":"bench"},
"permissions":{},"tools":[{"name":"read","resources":["file"],"permissions":{},
"params":[{"name":"path","used_as":"path","access":["read"],"evidence":[]}]}]}"#;

struct Result {
    p50: Duration,
    p99: Duration,
    rate: f64,
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn call(id: usize) -> String {
    // A checked call: the proxy resolves the path argument for each one.
    format!("{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"tools/call\",\"params\":{{\"name\":\"read\",\"arguments\":{{\"path\":\"/tmp/bench/x.txt\"}}}}}}\n")
}

fn measure(name: &str, cmd: &[String], n: usize) -> Result {
    let _ = std::fs::create_dir_all("/tmp/bench");
    let mut child = Command::new(&cmd[0])
        .args(&cmd[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut w = child.stdin.take().unwrap();
    let mut r = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    // Latency: one request at a time.
    let mut rtt = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        w.write_all(call(i).as_bytes()).unwrap();
        w.flush().unwrap();
        line.clear();
        r.read_line(&mut line).unwrap();
        rtt.push(t.elapsed());
    }
    assert!(
        line.contains("\"result\""),
        "{name}: unexpected answer {line}"
    );
    // Throughput: a writer thread sends n requests while this thread reads.
    let t = Instant::now();
    let writer = std::thread::spawn(move || {
        for i in 0..n {
            w.write_all(call(i).as_bytes()).unwrap();
        }
        w.flush().unwrap();
        w
    });
    for _ in 0..n {
        line.clear();
        r.read_line(&mut line).unwrap();
    }
    let rate = n as f64 / t.elapsed().as_secs_f64();
    drop(writer.join().unwrap());
    let _ = child.wait();
    rtt.sort();
    let res = Result {
        p50: rtt[n / 2],
        p99: rtt[n * 99 / 100],
        rate,
    };
    println!(
        "{name:>14}: round trip p50 {:.1} us, p99 {:.1} us; {:.0} msg/s pipelined",
        us(res.p50),
        us(res.p99),
        res.rate
    );
    res
}

fn echo_server() {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let id = line
            .split("\"id\":")
            .nth(1)
            .and_then(|s| s.split([',', '}']).next())
            .unwrap_or("null");
        let _ = writeln!(out, "{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{{\"content\":[{{\"type\":\"text\",\"text\":\"ok\"}}]}}}}");
        let _ = out.flush();
    }
}
