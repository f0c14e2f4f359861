//! Newline-delimited framing with a cap on line length: a peer that never
//! sends a newline cannot make the proxy buffer without bound.

use std::io::{self, BufRead};

/// Default cap on one message: 16 MiB.
pub const MAX_LINE: usize = 16 * 1024 * 1024;

#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A complete line in the buffer, without its `\n` (a `\r` before it is kept).
    Data,
    /// The line was longer than the cap; it was read and discarded up to its end.
    TooLong(usize),
    Eof,
}

/// Read one line into `buf` (cleared first). A last line without a newline
/// at end of input is returned as `Data`.
pub fn read_line(r: &mut impl BufRead, buf: &mut Vec<u8>, cap: usize) -> io::Result<Line> {
    buf.clear();
    let mut discarded = 0usize;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(match (discarded, buf.is_empty()) {
                (0, true) => Line::Eof,
                (0, false) => Line::Data,
                (n, _) => Line::TooLong(n),
            });
        }
        let (take, done) = match memchr(chunk) {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        if discarded > 0 || buf.len() + take > cap {
            discarded += buf.len() + take;
            buf.clear();
        } else {
            buf.extend_from_slice(&chunk[..take]);
        }
        r.consume(if done { take + 1 } else { take });
        if done {
            return Ok(if discarded > 0 {
                Line::TooLong(discarded)
            } else {
                Line::Data
            });
        }
    }
}

fn memchr(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_caps() {
        let mut r = io::BufReader::with_capacity(3, &b"ab\nlonglonglong\nc"[..]);
        let mut b = vec![];
        assert_eq!(read_line(&mut r, &mut b, 5).unwrap(), Line::Data);
        assert_eq!(b, b"ab");
        assert_eq!(read_line(&mut r, &mut b, 5).unwrap(), Line::TooLong(12));
        assert_eq!(read_line(&mut r, &mut b, 5).unwrap(), Line::Data);
        assert_eq!(b, b"c");
        assert_eq!(read_line(&mut r, &mut b, 5).unwrap(), Line::Eof);
    }
}
