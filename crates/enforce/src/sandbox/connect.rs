//! The filtering proxy on the host side: HTTP `CONNECT host:port` (and
//! absolute-form `GET http://host:port/...`) from inside the sandbox, allowed
//! only for the manifest's `host:port` pairs and the user's grants. It
//! listens on a unix socket in a private directory; the relay inside the
//! namespace forwards each connection to it.

use crate::grants::HostGrant;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::Arc;
use std::time::Duration;

/// Cap on a request head: nothing legitimate needs more.
const MAX_HEAD: usize = 16 * 1024;

pub struct Allow(pub Vec<HostGrant>);

impl Allow {
    pub fn allows(&self, host: &str, port: u16) -> bool {
        self.0.iter().any(|g| g.matches(host, port))
    }
}

/// Connections handled at once (each takes two threads); more wait.
const MAX_CONNECTIONS: usize = 128;

/// Counts live connections; a slot is freed when its guard drops.
struct Slots(Arc<std::sync::atomic::AtomicUsize>);

impl Slots {
    fn take(counter: &Arc<std::sync::atomic::AtomicUsize>) -> Slots {
        use std::sync::atomic::Ordering;
        while counter.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            counter.fetch_sub(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(20));
        }
        Slots(counter.clone())
    }
}

impl Drop for Slots {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Serve forever on `listener` (one thread per connection, at most
/// `MAX_CONNECTIONS` at once).
pub fn serve(listener: UnixListener, allow: Arc<Allow>) {
    let live = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for conn in listener.incoming().flatten() {
        let slot = Slots::take(&live);
        let allow = allow.clone();
        std::thread::spawn(move || {
            let _slot = slot;
            if let Err(e) = handle(conn, &allow) {
                eprintln!("mcpwarden: network proxy: {e}");
            }
        });
    }
}

fn handle(mut c: UnixStream, allow: &Allow) -> io::Result<()> {
    c.set_read_timeout(Some(Duration::from_secs(30)))?;
    let head = read_head(&mut c)?;
    let first = String::from_utf8_lossy(head.split(|&b| b == b'\n').next().unwrap_or(&[]))
        .trim_end()
        .to_string();
    let mut parts = first.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (authority, connect) = if method == "CONNECT" {
        (target.to_string(), true)
    } else if let Some(rest) = target.strip_prefix("http://") {
        (rest.split('/').next().unwrap_or("").to_string(), false)
    } else {
        return refuse(&mut c, 400, &format!("unsupported request `{first}`"));
    };
    let g = match HostGrant::parse(&authority) {
        Ok(g) => g,
        Err(e) => return refuse(&mut c, 400, &e),
    };
    let port = g.port.unwrap_or(if connect { 443 } else { 80 });
    if authority.contains('@') || !allow.allows(&g.host, port) {
        eprintln!(
            "mcpwarden: network proxy refused {}:{port} (not in the manifest or grants)",
            g.host
        );
        return refuse(
            &mut c,
            403,
            &format!("{}:{port} is not allowed by mcpwarden", g.host),
        );
    }
    let host = if g.host.contains(':') {
        format!("[{}]", g.host)
    } else {
        g.host.clone()
    };
    let mut up = match TcpStream::connect((host.trim_matches(['[', ']']), port)) {
        Ok(s) => s,
        Err(e) => return refuse(&mut c, 502, &format!("{}:{port}: {e}", g.host)),
    };
    if connect {
        c.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
    } else {
        up.write_all(&head)?;
    }
    c.set_read_timeout(None)?;
    splice(c, up)
}

fn read_head(c: &mut UnixStream) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(1024);
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && !head.ends_with(b"\n\n") {
        if head.len() >= MAX_HEAD {
            return Err(io::Error::other("request head over 16 KiB"));
        }
        // One byte at a time: nothing after the head may be consumed here.
        if c.read(&mut b)? == 0 {
            return Err(io::Error::other(
                "connection closed before the request head ended",
            ));
        }
        head.push(b[0]);
    }
    Ok(head)
}

fn refuse(c: &mut UnixStream, code: u16, why: &str) -> io::Result<()> {
    let text = match code {
        403 => "Forbidden",
        502 => "Bad Gateway",
        _ => "Bad Request",
    };
    let body = format!("{why}\n");
    let _ = write!(
        c,
        "HTTP/1.1 {code} {text}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    Ok(())
}

/// Copy both ways until either side closes.
pub fn splice(a: UnixStream, b: TcpStream) -> io::Result<()> {
    let (mut a2, mut b2) = (a.try_clone()?, b.try_clone()?);
    let t = std::thread::spawn(move || {
        let _ = io::copy(&mut a2, &mut b2);
        let _ = b2.shutdown(Shutdown::Write);
    });
    let (mut a, mut b) = (a, b);
    let _ = io::copy(&mut b, &mut a);
    let _ = a.shutdown(Shutdown::Write);
    let _ = t.join();
    Ok(())
}

/// Inside the namespace: accept on loopback, forward each connection to the
/// proxy's unix socket (a path: unix sockets bound to a path are reachable
/// across network namespaces).
pub fn relay(listener: std::net::TcpListener, proxy: std::path::PathBuf) {
    let live = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for conn in listener.incoming().flatten() {
        let slot = Slots::take(&live);
        let proxy = proxy.clone();
        std::thread::spawn(move || {
            let _slot = slot;
            if let Ok(u) = UnixStream::connect(&proxy) {
                let _ = splice(u, conn);
            }
        });
    }
}
