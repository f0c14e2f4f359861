//! Hostile archives built here: each is refused, or its bad entry skipped,
//! and nothing is ever written outside the destination.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;

use mcpwarden_collect::extract::{extract, tree_root, Limits};
use mcpwarden_collect::ErrorKind;

const LIMITS: Limits = Limits {
    max_unpacked_bytes: 256 << 20,
    max_files: 1000,
    max_ratio: 200,
};

/// A raw tar header with any name, bypassing the builder's own path checks
/// (which would refuse to write the attacks we want to test).
fn raw_header(name: &[u8], kind: tar::EntryType, size: u64, link: Option<&[u8]>) -> tar::Header {
    let mut h = tar::Header::new_old();
    {
        let old = h.as_old_mut();
        old.name[..name.len()].copy_from_slice(name);
        if let Some(l) = link {
            old.linkname[..l.len()].copy_from_slice(l);
        }
    }
    h.set_size(size);
    h.set_mode(0o644);
    h.set_entry_type(kind);
    h.set_cksum();
    h
}

enum E<'a> {
    File(&'a [u8], &'a [u8]),
    Link(&'a [u8], tar::EntryType, &'a [u8]),
    Other(&'a [u8], tar::EntryType),
}

fn tar_gz(entries: &[E]) -> Vec<u8> {
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    for e in entries {
        match e {
            E::File(n, d) => b
                .append(
                    &raw_header(n, tar::EntryType::Regular, d.len() as u64, None),
                    *d,
                )
                .unwrap(),
            E::Link(n, k, t) => b.append(&raw_header(n, *k, 0, Some(t)), &[][..]).unwrap(),
            E::Other(n, k) => b.append(&raw_header(n, *k, 0, None), &[][..]).unwrap(),
        }
    }
    b.into_inner().unwrap().finish().unwrap()
}

/// Lays out `work/archive` and `work/dest`, plus `work/outside` (must stay empty).
struct Work {
    _tmp: tempfile::TempDir,
    archive: std::path::PathBuf,
    dest: std::path::PathBuf,
    outside: std::path::PathBuf,
}

fn work(bytes: &[u8]) -> Work {
    let tmp = tempfile::tempdir().unwrap();
    // dest is two levels down so `../../x` lands in `tmp`, `../x` in `a`.
    let dest = tmp.path().join("a/dest");
    fs::create_dir_all(&dest).unwrap();
    let outside = tmp.path().join("outside");
    fs::create_dir_all(&outside).unwrap();
    let archive = tmp.path().join("archive.bin");
    fs::write(&archive, bytes).unwrap();
    Work {
        archive,
        dest,
        outside,
        _tmp: tmp,
    }
}

impl Work {
    /// Everything outside `dest`: the archive, `a/dest` itself and the empty `outside`.
    fn assert_nothing_outside(&self) {
        let root = self.dest.parent().unwrap().parent().unwrap();
        let all: Vec<String> = common::files_under(root);
        let foreign: Vec<&String> = all
            .iter()
            .filter(|p| !p.starts_with("a/dest/") && *p != "archive.bin")
            .collect();
        assert!(
            foreign.is_empty(),
            "written outside the destination: {foreign:?}"
        );
        assert!(fs::read_dir(&self.outside).unwrap().next().is_none());
    }
}

fn kind(r: &mcpwarden_collect::CollectError) -> ErrorKind {
    r.error_kind()
}

#[test]
fn tar_with_parent_traversal_is_refused() {
    for name in [
        &b"package/../../evil.txt"[..],
        b"../evil.txt",
        b"package/../../../outside/evil.txt",
        b"./a/../../evil",
    ] {
        let w = work(&tar_gz(&[
            E::File(b"package/ok.txt", b"ok"),
            E::File(name, b"pwned"),
        ]));
        let e = extract(&w.archive, &w.dest, &LIMITS).expect_err("traversal accepted");
        assert_eq!(kind(&e), ErrorKind::HostileArchive, "{e}");
        assert!(e.to_string().contains("traversal"), "{e}");
        w.assert_nothing_outside();
    }
}

/// `pkg-0.1.0/../README.md` stays inside the root: the archive is accepted,
/// the odd entry is reported and not written (it would add a second top-level
/// entry and move the scan root).
#[test]
fn dot_dot_inside_the_root_is_skipped_not_hostile() {
    let w = work(&tar_gz(&[
        E::File(b"pkg-0.1.0/setup.py", b"ok"),
        E::File(b"pkg-0.1.0/../README.md", b"readme"),
        E::File(b"pkg-0.1.0/src/../lib/x.py", b"x"),
    ]));
    let skipped = extract(&w.archive, &w.dest, &LIMITS).expect("accepted");
    let odd: Vec<(&str, &str)> = skipped
        .iter()
        .map(|s| (s.path.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        odd,
        [
            ("pkg-0.1.0/../README.md", "dot-dot-path"),
            ("pkg-0.1.0/src/../lib/x.py", "dot-dot-path")
        ]
    );
    assert!(skipped[0].detail.as_deref().unwrap().contains("README.md"));
    assert_eq!(common::files_under(&w.dest), ["pkg-0.1.0/setup.py"]);
    assert_eq!(tree_root(&w.dest), w.dest.join("pkg-0.1.0"));
    w.assert_nothing_outside();

    let w = work(&common::zip(&[
        ("pkg/ok.py", b"ok"),
        ("pkg\\..\\x.py", b"x"),
    ]));
    let skipped = extract(&w.archive, &w.dest, &LIMITS).expect("accepted");
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0].reason, "dot-dot-path");
    assert_eq!(common::files_under(&w.dest), ["pkg/ok.py"]);
}

#[test]
fn tar_with_absolute_path_is_refused() {
    let w = work(&[]);
    let target = w.outside.join("abs.txt");
    let name = target.to_string_lossy().into_owned();
    fs::write(&w.archive, tar_gz(&[E::File(name.as_bytes(), b"pwned")])).unwrap();
    let e = extract(&w.archive, &w.dest, &LIMITS).unwrap_err();
    assert_eq!(kind(&e), ErrorKind::HostileArchive, "{e}");
    assert!(e.to_string().contains("absolute"), "{e}");
    assert!(!target.exists());
    w.assert_nothing_outside();
}

#[test]
fn symlinks_are_skipped_and_never_followed() {
    // A link to /etc/passwd, a link to a directory outside, then a file
    // written "through" that link: the link is not created, so the file
    // lands in a real directory inside the destination.
    let w = work(&[]);
    let outside = w.outside.to_string_lossy().into_owned();
    fs::write(
        &w.archive,
        tar_gz(&[
            E::Link(b"package/passwd", tar::EntryType::Symlink, b"/etc/passwd"),
            E::Link(b"package/out", tar::EntryType::Symlink, outside.as_bytes()),
            E::File(b"package/out/evil.txt", b"pwned"),
            E::File(b"package/index.js", b"ok"),
        ]),
    )
    .unwrap();
    let skipped = extract(&w.archive, &w.dest, &LIMITS).unwrap();
    let reasons: Vec<(&str, &str, Option<&str>)> = skipped
        .iter()
        .map(|s| (s.path.as_str(), s.reason.as_str(), s.detail.as_deref()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("package/passwd", "symlink", Some("/etc/passwd")),
            ("package/out", "symlink", Some(outside.as_str()))
        ]
    );
    assert!(!w.dest.join("package/passwd").exists());
    assert!(fs::symlink_metadata(w.dest.join("package/out"))
        .unwrap()
        .is_dir());
    assert_eq!(
        fs::read(w.dest.join("package/out/evil.txt")).unwrap(),
        b"pwned"
    );
    w.assert_nothing_outside();
    assert_eq!(tree_root(&w.dest), w.dest.join("package"));
}

#[test]
fn hardlinks_and_devices_are_skipped() {
    let w = work(&tar_gz(&[
        E::Link(b"package/hl", tar::EntryType::Link, b"/etc/passwd"),
        E::Link(b"package/hl2", tar::EntryType::Link, b"../../../outside/x"),
        E::Other(b"package/dev", tar::EntryType::Char),
        E::Other(b"package/fifo", tar::EntryType::Fifo),
        E::File(b"package/a", b"file"),
        E::File(b"package/a/b", b"under a file"),
    ]));
    let skipped = extract(&w.archive, &w.dest, &LIMITS).unwrap();
    let reasons: Vec<(&str, &str)> = skipped
        .iter()
        .map(|s| (s.path.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("package/hl", "hardlink"),
            ("package/hl2", "hardlink"),
            ("package/dev", "special"),
            ("package/fifo", "special"),
            ("package/a/b", "conflict")
        ]
    );
    assert_eq!(common::files_under(&w.dest), ["package/a"]);
    w.assert_nothing_outside();
}

#[test]
fn zip_with_traversal_is_refused() {
    for name in [
        "../evil.txt",
        "pkg/../../evil.txt",
        "..\\evil.txt",
        "/abs/evil.txt",
        "C:\\evil.txt",
    ] {
        let w = work(&common::zip(&[("pkg/ok.py", b"ok"), (name, b"pwned")]));
        let e = extract(&w.archive, &w.dest, &LIMITS).expect_err(name);
        assert_eq!(kind(&e), ErrorKind::HostileArchive, "{name}: {e}");
        w.assert_nothing_outside();
    }
}

#[test]
fn zip_symlink_is_skipped() {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    z.add_symlink("pkg/passwd", "/etc/passwd", opts).unwrap();
    z.start_file("pkg/mod.py", opts).unwrap();
    z.write_all(b"x = 1").unwrap();
    let w = work(&z.finish().unwrap().into_inner());
    let skipped = extract(&w.archive, &w.dest, &LIMITS).unwrap();
    assert_eq!(skipped.len(), 1);
    assert_eq!(
        (skipped[0].path.as_str(), skipped[0].reason.as_str()),
        ("pkg/passwd", "symlink")
    );
    assert_eq!(skipped[0].detail.as_deref(), Some("/etc/passwd"));
    assert_eq!(common::files_under(&w.dest), ["pkg/mod.py"]);
}

#[test]
fn gzip_bomb_is_refused_by_ratio() {
    // 64 MiB of zeros packs into ~64 KiB: a ratio of ~1000 against a cap of 200.
    let zeros = vec![0u8; 64 << 20];
    let bomb = tar_gz(&[E::File(b"package/zeros", &zeros)]);
    assert!(bomb.len() < 200 << 10, "bomb is {} bytes", bomb.len());
    let w = work(&bomb);
    let e = extract(&w.archive, &w.dest, &LIMITS).unwrap_err();
    assert_eq!(kind(&e), ErrorKind::HostileArchive, "{e}");
    assert!(e.to_string().contains("bomb"), "{e}");
    // It stopped early: at most the ratio cap (plus one buffer) was written.
    let written = fs::metadata(w.dest.join("package/zeros"))
        .map(|m| m.len())
        .unwrap_or(0);
    assert!(
        written <= (bomb.len() as u64) * 200 + (64 << 10),
        "wrote {written} bytes"
    );
    w.assert_nothing_outside();
}

#[test]
fn zip_bomb_is_refused_by_ratio() {
    let zeros = vec![0u8; 64 << 20];
    let bomb = common::zip(&[("pkg/zeros", &zeros)]);
    let w = work(&bomb);
    let e = extract(&w.archive, &w.dest, &LIMITS).unwrap_err();
    assert_eq!(kind(&e), ErrorKind::HostileArchive, "{e}");
}

#[test]
fn too_many_files_and_too_many_bytes() {
    let names: Vec<String> = (0..20).map(|i| format!("package/f{i}")).collect();
    let entries: Vec<E> = names.iter().map(|n| E::File(n.as_bytes(), b"x")).collect();
    let small = Limits {
        max_files: 10,
        ..LIMITS
    };
    let w = work(&tar_gz(&entries));
    let e = extract(&w.archive, &w.dest, &small).unwrap_err();
    assert_eq!(kind(&e), ErrorKind::TooLarge, "{e}");
    assert!(common::files_under(&w.dest).len() <= 10);

    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let w = work(&common::zip(&files));
    let e = extract(&w.archive, &w.dest, &small).unwrap_err();
    assert_eq!(kind(&e), ErrorKind::TooLarge, "{e}");
    assert!(
        common::files_under(&w.dest).is_empty(),
        "zip counts are checked before writing"
    );

    // Incompressible bytes over the unpacked cap: too large, not a bomb.
    let noise: Vec<u8> = (0..50_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let w = work(&tar_gz(&[E::File(b"package/noise", &noise)]));
    let e = extract(
        &w.archive,
        &w.dest,
        &Limits {
            max_unpacked_bytes: 10_000,
            ..LIMITS
        },
    )
    .unwrap_err();
    assert_eq!(kind(&e), ErrorKind::TooLarge, "{e}");
}

#[test]
fn ordinary_archives_unpack() {
    // npm layout, with `./` prefixes, a directory entry and an executable.
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(tar::EntryType::Directory);
    h.set_mode(0o000); // a hostile mode must not lock us out of our own tree
    h.set_size(0);
    b.append_data(&mut h, "./package/", &[][..]).unwrap();
    for (p, mode, data) in [
        ("./package/package.json", 0o644, &b"{}"[..]),
        ("package/bin/run", 0o4755, b"#!/bin/sh\n"),
    ] {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(mode);
        b.append_data(&mut h, p, data).unwrap();
    }
    // A long path (PAX/GNU extension record).
    let long = format!("package/{}/deep.txt", "d".repeat(150));
    let mut h = tar::Header::new_gnu();
    h.set_size(4);
    b.append_data(&mut h, &long, &b"deep"[..]).unwrap();
    let w = work(&b.into_inner().unwrap().finish().unwrap());
    let skipped = extract(&w.archive, &w.dest, &LIMITS).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(tree_root(&w.dest), w.dest.join("package"));
    assert_eq!(fs::read(w.dest.join(&long)).unwrap(), b"deep");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let m = fs::metadata(w.dest.join("package/bin/run"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            m & 0o7777 & !0o022,
            0o755 & !0o022,
            "exec bit kept, setuid dropped: {m:o}"
        );
        let m = fs::metadata(w.dest.join("package/package.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(m & 0o111, 0);
    }

    // A wheel: no single top folder, so the root is the tree itself.
    let w = work(&common::zip(&[
        ("mcp_x/__init__.py", b""),
        ("mcp_x-1.0.dist-info/METADATA", b"Name: mcp-x\n"),
    ]));
    extract(&w.archive, &w.dest, &LIMITS).unwrap();
    assert_eq!(tree_root(&w.dest), w.dest);

    // A plain (uncompressed) tar.
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_size(2);
    b.append_data(&mut h, "x-1.0/setup.py", &b"ok"[..]).unwrap();
    let w = work(&b.into_inner().unwrap());
    extract(&w.archive, &w.dest, &LIMITS).unwrap();
    assert_eq!(tree_root(&w.dest), w.dest.join("x-1.0"));
}

#[test]
fn garbage_is_not_an_archive() {
    let w = work(b"<html>not found</html>");
    let e = extract(&w.archive, &w.dest, &LIMITS).unwrap_err();
    assert_eq!(kind(&e), ErrorKind::Unsupported);
    let mut truncated = common::tgz(&[("package/a.js", &[7u8; 100_000][..])]);
    truncated.truncate(truncated.len() / 2);
    let w = work(&truncated);
    let e = extract(&w.archive, &w.dest, &LIMITS).unwrap_err();
    assert_eq!(kind(&e), ErrorKind::BadArchive, "{e}");
    let _ = Path::new("");
}
