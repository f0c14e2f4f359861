//! Reading one source file: decoding, binary detection, and splitting
//! bundles so that inlined dependencies are not blamed on the server.

use std::path::Path;

/// A file ready to parse.
#[derive(Debug)]
pub struct Text {
    /// UTF-8 bytes; inlined dependency modules blanked to spaces (newlines kept,
    /// so line numbers stay true).
    pub bytes: Vec<u8>,
    /// Packages found inlined by module-boundary markers.
    pub bundled: Vec<String>,
    /// Top-level names the inlined modules declare, with their package
    /// (`var Exa2 = class` in `// node_modules/exa-js/…`): the server's own
    /// code uses them as it would the package's exports.
    pub inlined: Vec<(String, String)>,
    /// A minified file without markers: findings are low-confidence.
    pub minified: bool,
}

#[derive(Debug)]
pub enum ReadError {
    Io(String),
    Binary,
}

/// Decode bytes to UTF-8: UTF-8 (with or without BOM), UTF-16 with a BOM, or
/// anything else lossily as Latin-1 / replacement characters.
pub fn decode(raw: Vec<u8>) -> Vec<u8> {
    if raw.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return raw[3..].to_vec();
    }
    let utf16 = |le: bool| {
        let units: Vec<u16> = raw[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units).into_bytes()
    };
    if raw.starts_with(&[0xFF, 0xFE]) {
        return utf16(true);
    }
    if raw.starts_with(&[0xFE, 0xFF]) {
        return utf16(false);
    }
    match String::from_utf8(raw) {
        Ok(s) => s.into_bytes(),
        // Source files that are not UTF-8 are nearly always Latin-1 / cp1252.
        Err(e) => e
            .into_bytes()
            .iter()
            .map(|&b| b as char)
            .collect::<String>()
            .into_bytes(),
    }
}

fn looks_binary(raw: &[u8]) -> bool {
    if raw.starts_with(&[0xFF, 0xFE]) || raw.starts_with(&[0xFE, 0xFF]) {
        return false;
    }
    memchr::memchr(0, &raw[..raw.len().min(8192)]).is_some()
}

pub fn read(path: &Path, is_js: bool) -> Result<Text, ReadError> {
    let raw = std::fs::read(path).map_err(|e| ReadError::Io(e.to_string()))?;
    if looks_binary(&raw) {
        return Err(ReadError::Binary);
    }
    let mut bytes = decode(raw);
    let mut inlined = Inlined::default();
    let mut minified = false;
    if is_js {
        inlined = blank_inlined_modules(&mut bytes);
        minified = inlined.packages.is_empty() && is_minified(&bytes);
    }
    Ok(Text {
        bytes,
        bundled: inlined.packages,
        inlined: inlined.names,
        minified,
    })
}

/// Long lines and few of them: generated, minified code.
fn is_minified(b: &[u8]) -> bool {
    if b.len() < 2048 {
        return false;
    }
    let lines = memchr::memchr_iter(b'\n', b).count() + 1;
    let longest = b.split(|&c| c == b'\n').map(|l| l.len()).max().unwrap_or(0);
    longest > 2000 && b.len() / lines > 300
}

/// The package a `node_modules/...` path belongs to (`@scope/name` or `name`).
fn package_of(path: &str) -> Option<String> {
    let after = &path[path.rfind("node_modules/")? + "node_modules/".len()..];
    let mut parts = after.split('/');
    let first = parts.next()?;
    if first.is_empty() {
        return None;
    }
    if first.starts_with('@') {
        Some(format!("{first}/{}", parts.next()?))
    } else {
        Some(first.to_string())
    }
}

/// A module-boundary marker at the start of a line, and the path it names:
/// esbuild / tsup `// node_modules/pkg/file.js` and `// src/index.ts`, webpack
/// `/***/ "./node_modules/pkg/x.js":` and rollup `// ../node_modules/...`.
fn marker(line: &[u8]) -> Option<&str> {
    let line = std::str::from_utf8(line).ok()?.trim_end();
    if let Some(rest) = line.strip_prefix("// ") {
        let p = rest.trim();
        let looks_path = !p.contains(' ')
            && p.contains('/')
            && [
                ".js", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".jsx", ".json",
            ]
            .iter()
            .any(|e| p.ends_with(e));
        return looks_path.then_some(p);
    }
    if let Some(rest) = line.strip_prefix("/***/ \"") {
        let end = rest.find('"')?;
        return Some(&rest[..end]);
    }
    None
}

/// What a bundle inlines: its packages, and the top-level names their
/// modules declare with the package of each.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Inlined {
    pub packages: Vec<String>,
    pub names: Vec<(String, String)>,
}

/// Most names recorded per bundle (a bundle inlining hundreds of modules
/// declares thousands; past this, the rest resolve as before).
const MAX_INLINED_NAMES: usize = 20_000;

/// Blank every inlined `node_modules` module of a bundle; returns the packages
/// found and the names they declare. Files with no markers are left untouched.
pub fn blank_inlined_modules(b: &mut [u8]) -> Inlined {
    let mut out = Inlined::default();
    // Cheap check first: no marker text, no work.
    if memchr::memmem::find(b, b"node_modules/").is_none() {
        return out;
    }
    let mut package: Option<String> = None;
    let mut start = 0usize;
    let mut regions: Vec<(usize, usize)> = vec![];
    let mut region_start = 0usize;
    let mut saw_marker = false;
    while start < b.len() {
        let end = memchr::memchr(b'\n', &b[start..])
            .map(|i| start + i)
            .unwrap_or(b.len());
        let line = &b[start..end];
        if let Some(path) = marker(line) {
            saw_marker = true;
            let dep = path
                .contains("node_modules/")
                .then(|| package_of(path))
                .flatten();
            if package.is_some() && dep.is_none() {
                regions.push((region_start, start));
            }
            if let Some(p) = &dep {
                if !out.packages.contains(p) {
                    out.packages.push(p.clone());
                }
                if package.is_none() {
                    region_start = start;
                }
            }
            package = dep;
        } else if let (Some(p), Some(name)) = (&package, declared_name(line)) {
            if out.names.len() < MAX_INLINED_NAMES {
                out.names.push((name.to_string(), p.clone()));
            }
        }
        start = end + 1;
    }
    if package.is_some() {
        // A dependency runs to the end unless the bundle's tail (exports, wrapper) follows;
        // esbuild always ends with the entry module's own marker, so this is rare.
        regions.push((region_start, b.len()));
    }
    if !saw_marker {
        return Inlined::default();
    }
    for (s, e) in regions {
        for c in &mut b[s..e] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    }
    out.packages.sort();
    out
}

/// The name a top-level declaration at the start of a line declares: `var X =`,
/// `let X =`, `const X =`, `function X(`, `async function X(`, `class X`.
fn declared_name(line: &[u8]) -> Option<&str> {
    let line = std::str::from_utf8(line).ok()?;
    let rest = [
        "var ",
        "let ",
        "const ",
        "function ",
        "async function ",
        "function* ",
        "class ",
    ]
    .iter()
    .find_map(|k| line.strip_prefix(k))?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(rest.len());
    let name = &rest[..end];
    (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some(name)
}

/// One module of a webpack bundle: its byte range and the line it starts on (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Module {
    pub start: usize,
    pub end: usize,
    pub line: u32,
}

/// `/***/ 68670` (production) or `/***/ "./src/a.js":` (development): a module key line.
fn is_module_key(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"/***/ ") else {
        return false;
    };
    let rest = rest.trim_ascii();
    let rest = rest.strip_suffix(b":").unwrap_or(rest).trim_ascii_end();
    let quoted =
        rest.len() >= 2 && matches!(rest[0], b'"' | b'\'') && rest[rest.len() - 1] == rest[0];
    (!rest.is_empty() && rest.iter().all(u8::is_ascii_digit)) || quoted
}

/// The modules of a webpack bundle (`var __webpack_modules__ = ({ ... })` with one
/// `/***/ key` line per module), so that each can be parsed on its own: a module
/// is a closure that reaches the others only through `__webpack_require__(id)`,
/// so nothing a module names is lost by parsing it apart, and the syntax tree
/// of a 10 MB bundle is never held at once. Empty when the file is not such a bundle.
pub fn webpack_modules(b: &[u8]) -> Vec<Module> {
    if memchr::memmem::find(b, b"__webpack_modules__").is_none() {
        return vec![];
    }
    let mut modules: Vec<Module> = vec![];
    let mut start = 0usize;
    let mut line = 0u32;
    let mut closed = false;
    while start < b.len() {
        let end = memchr::memchr(b'\n', &b[start..])
            .map(|i| start + i)
            .unwrap_or(b.len());
        let text = &b[start..end];
        if is_module_key(text) {
            if let Some(last) = modules.last_mut() {
                last.end = start;
            }
            modules.push(Module {
                start,
                end: b.len(),
                line,
            });
        } else if !modules.is_empty() && text.starts_with(b"/******/") {
            // The end of the modules object: the bootstrap follows.
            if let Some(last) = modules.last_mut() {
                last.end = start;
            }
            closed = true;
            break;
        }
        start = end + 1;
        line += 1;
    }
    if !closed || modules.len() < 2 {
        return vec![];
    }
    modules
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_webpack_modules() {
        let src = b"/******/ (() => { // webpackBootstrap\n/******/ \tvar __webpack_modules__ = ({\n\n/***/ 101\n(module, exports) {\nexports.a = 1;\n/***/ },\n\n/***/ \"./src/b.js\":\n/***/ ((module) => {\nmodule.exports = 2;\n/***/ }),\n\n/******/ \t});\n/******/ var x = 1;\n";
        let m = webpack_modules(src);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].line, 3);
        assert!(src[m[0].start..m[0].end].starts_with(b"/***/ 101\n"));
        assert!(src[m[1].start..m[1].end].starts_with(b"/***/ \"./src/b.js\":"));
        assert!(src[m[1].end..].starts_with(b"/******/ \t});"));
        // Not a bundle, or a single module: nothing to split.
        assert!(webpack_modules(b"/***/ 1\nx\n/******/ });\n").is_empty());
        assert!(webpack_modules(b"const x = 1;\n").is_empty());
    }

    #[test]
    fn decodes_utf16_and_latin1() {
        let mut u16le = vec![0xFF, 0xFE];
        for c in "x=1".encode_utf16() {
            u16le.extend_from_slice(&c.to_le_bytes());
        }
        assert_eq!(decode(u16le), b"x=1");
        assert_eq!(String::from_utf8(decode(vec![b'a', 0xE9])).unwrap(), "aé");
        assert_eq!(decode(vec![0xEF, 0xBB, 0xBF, b'y']), b"y");
    }

    #[test]
    fn bundles_lose_their_dependencies_but_keep_lines() {
        let src = "// node_modules/zod/lib/index.mjs\nfetch('dep');\n// node_modules/@modelcontextprotocol/sdk/dist/esm/server/index.js\nexec('x');\n// src/index.ts\nfetch('own');\n";
        let mut b = src.as_bytes().to_vec();
        let pk = blank_inlined_modules(&mut b).packages;
        assert_eq!(
            pk,
            vec!["@modelcontextprotocol/sdk".to_string(), "zod".to_string()]
        );
        let s = String::from_utf8(b).unwrap();
        assert_eq!(s.lines().count(), 6);
        assert!(!s.contains("dep") && !s.contains("exec"));
        assert!(s.contains("fetch('own')"));
    }

    #[test]
    fn plain_files_are_untouched() {
        let mut b = b"const p = 'node_modules/x';\nfetch(p);\n".to_vec();
        let before = b.clone();
        assert_eq!(blank_inlined_modules(&mut b), Inlined::default());
        assert_eq!(b, before);
    }

    #[test]
    fn inlined_modules_name_what_they_declare() {
        let src = "// node_modules/exa-js/dist/index.mjs\nvar Exa2 = class {\n  search(q) { return fetch(q); }\n};\nfunction helper() {}\n  var nested = 1;\n// src/index.ts\nvar own = new Exa2(key);\n";
        let mut b = src.as_bytes().to_vec();
        let inlined = blank_inlined_modules(&mut b);
        let exa = |n: &str| (n.to_string(), "exa-js".to_string());
        assert_eq!(inlined.names, vec![exa("Exa2"), exa("helper")]);
        assert!(String::from_utf8(b).unwrap().contains("new Exa2(key)"));
    }
}
