//! The stdio proxy: the client's stdin/stdout on one side, the server child's
//! stdin/stdout on the other, every line through `Core`. The server's stderr
//! is not touched (it is the proxy's own stderr).

use crate::audit::AuditLog;
use crate::core::{Core, Out};
use crate::framing::{read_line, Line};
use std::io::{BufReader, Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

type Sink = Arc<Mutex<Box<dyn Write + Send>>>;

/// How a question is put to the user when the client cannot elicit.
pub trait Asker: Send + Sync {
    fn ask(&self, question: &str) -> bool;
}

/// Asks on the controlling terminal; no terminal means no.
pub struct TerminalAsker(Mutex<()>);

impl TerminalAsker {
    pub fn new() -> TerminalAsker {
        TerminalAsker(Mutex::new(()))
    }
}

impl Default for TerminalAsker {
    fn default() -> Self {
        Self::new()
    }
}

impl Asker for TerminalAsker {
    fn ask(&self, question: &str) -> bool {
        let _one_at_a_time = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let Ok(mut tty) = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
        else {
            eprintln!("mcpwarden: no terminal to ask on; denied: {question}");
            return false;
        };
        let _ = write!(tty, "{question} [y/N] ");
        let _ = tty.flush();
        let mut answer = [0u8; 64];
        let n = tty.read(&mut answer).unwrap_or(0);
        matches!(answer[..n].first(), Some(b'y' | b'Y'))
    }
}

pub struct Pump {
    pub core: Arc<Mutex<Core>>,
    pub audit: Option<Arc<Mutex<AuditLog>>>,
    pub remember: Option<PathBuf>,
    pub asker: Arc<dyn Asker>,
    pub max_line: usize,
}

struct Ends {
    client: Sink,
    server: Sink,
}

impl Pump {
    /// Run both directions until the server closes its stdout. The client
    /// side runs on its own thread; when the client closes stdin, the
    /// server's stdin is closed too.
    pub fn run(
        self: Arc<Self>,
        client_in: Box<dyn Read + Send>,
        client_out: Box<dyn Write + Send>,
        server_in: Box<dyn Write + Send>,
        server_out: Box<dyn Read + Send>,
    ) {
        let ends = Arc::new(Ends {
            client: Arc::new(Mutex::new(client_out)),
            server: Arc::new(Mutex::new(server_in)),
        });
        let (me, e) = (self.clone(), ends.clone());
        std::thread::spawn(move || {
            me.read_side(client_in, &e, true);
            // Closing the server's stdin: replace it with a sink.
            *e.server.lock().unwrap_or_else(|p| p.into_inner()) = Box::new(std::io::sink());
        });
        self.read_side(server_out, &ends, false);
    }

    fn read_side(
        self: &Arc<Self>,
        input: Box<dyn Read + Send>,
        ends: &Arc<Ends>,
        from_client: bool,
    ) {
        let mut r = BufReader::with_capacity(64 * 1024, input);
        let mut buf = Vec::with_capacity(64 * 1024);
        loop {
            let outs = match read_line(&mut r, &mut buf, self.max_line) {
                Ok(Line::Eof) | Err(_) => return,
                Ok(Line::TooLong(n)) => self.too_long(n, from_client),
                Ok(Line::Data) => {
                    let mut core = self.core.lock().unwrap_or_else(|p| p.into_inner());
                    if from_client {
                        core.client_line(&buf)
                    } else {
                        core.server_line(&buf)
                    }
                }
            };
            self.apply(outs, ends);
        }
    }

    fn too_long(&self, n: usize, from_client: bool) -> Vec<Out> {
        let who = if from_client { "client" } else { "server" };
        let msg = format!(
            "{who} sent a line of {n} bytes, over the {} byte limit; dropped",
            self.max_line
        );
        let mut out = vec![Out::Warn(msg.clone())];
        if from_client {
            out.push(Out::ToClient(crate::rpc::error(
                &serde_json::Value::Null,
                -32600,
                &format!("Invalid Request: {msg}"),
            )));
        }
        out
    }

    fn apply(self: &Arc<Self>, outs: Vec<Out>, ends: &Arc<Ends>) {
        for o in outs {
            match o {
                Out::ToServer(b) => send(&ends.server, &b),
                Out::ToClient(b) => send(&ends.client, &b),
                Out::Audit(rec) => {
                    if let Some(a) = &self.audit {
                        a.lock().unwrap_or_else(|p| p.into_inner()).write(&rec);
                    }
                }
                Out::Warn(w) => eprintln!("mcpwarden: {w}"),
                Out::SaveGrants(g) => {
                    if let Some(p) = &self.remember {
                        if let Err(e) = g.save(p) {
                            eprintln!("mcpwarden: could not remember grants: {e}");
                        }
                    }
                }
                Out::AskTerminal { key, question } => {
                    // Off the reading thread: the answer may take a while.
                    let (me, e) = (self.clone(), ends.clone());
                    std::thread::spawn(move || {
                        let allow = me.asker.ask(&question);
                        let outs = me
                            .core
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .answer(key, allow);
                        me.apply(outs, &e);
                    });
                }
            }
        }
    }
}

/// Write one message and its newline in one go, then flush. A closed peer is
/// not an error here: the reading side notices it.
fn send(sink: &Sink, bytes: &[u8]) {
    let mut line = Vec::with_capacity(bytes.len() + 1);
    line.extend_from_slice(bytes);
    line.push(b'\n');
    let mut w = sink.lock().unwrap_or_else(|p| p.into_inner());
    let _ = w.write_all(&line).and_then(|_| w.flush());
}
