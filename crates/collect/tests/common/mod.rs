//! Test helpers: a tiny HTTP server on 127.0.0.1 and archive builders.
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mcpwarden_collect::Config;

#[derive(Clone)]
pub struct Resp {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn ok(body: impl Into<Vec<u8>>) -> Resp {
        Resp {
            status: 200,
            body: body.into(),
        }
    }
    pub fn status(status: u16) -> Resp {
        Resp {
            status,
            body: format!("status {status}").into_bytes(),
        }
    }
}

type Routes = Arc<Mutex<HashMap<String, VecDeque<Resp>>>>;

/// Serves canned answers by exact path; a route's answers are used in turn
/// and the last one repeats. Unknown paths get 404. Stops when dropped, or
/// after two minutes at the latest.
pub struct Server {
    pub base: String,
    routes: Routes,
    log: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let routes: Routes = Arc::default();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (r, l, s) = (routes.clone(), log.clone(), stop.clone());
        let handle = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            while !s.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let _ = serve(stream, &r, &l);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server {
            base,
            routes,
            log,
            stop,
            handle: Some(handle),
        }
    }

    pub fn route(&self, path: &str, answers: Vec<Resp>) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_string(), answers.into());
    }

    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    pub fn count(&self, path: &str) -> usize {
        self.requests().iter().filter(|p| *p == path).count()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn serve(stream: TcpStream, routes: &Routes, log: &Mutex<Vec<String>>) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_string();
    log.lock().unwrap().push(path.clone());
    let resp = {
        let mut r = routes.lock().unwrap();
        match r.get_mut(&path) {
            Some(q) if q.len() > 1 => q.pop_front().unwrap(),
            Some(q) => q.front().cloned().unwrap_or(Resp::status(404)),
            None => Resp::status(404),
        }
    };
    let mut w = stream;
    write!(
        w,
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
        resp.status,
        resp.body.len()
    )?;
    w.write_all(&resp.body)?;
    w.flush()
}

/// A config for tests: cache in `dir`, registries on the local server.
pub fn config(dir: &Path, base: &str) -> Config {
    let mut c = Config::from_env();
    c.cache_dir = dir.to_path_buf();
    c.offline = false;
    c.npm_registry = base.to_string();
    c.pypi_url = base.to_string();
    c.retries = 2;
    c.timeout = Duration::from_secs(10);
    c
}

/// A tar.gz of (path, contents) regular files.
pub fn tgz(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    for (p, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, p, *data).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap()
}

/// A zip of (path, contents) files.
pub fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (p, data) in files {
        w.start_file(*p, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

pub fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

pub fn sha512_b64(b: &[u8]) -> String {
    use base64::Engine;
    use sha2::Digest;
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha512::digest(b))
}

pub fn sha1_hex(b: &[u8]) -> String {
    use sha1::Digest;
    sha1::Sha1::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// Every file under `dir`, relative, sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}
