//! The pack reader's unit tests, and what the submodules' tests share.

use super::*;
use std::path::Path;

/// Runs git in `dir` with `input` on its standard input, without the machine's
/// configuration; its standard output.
pub(in crate::source::pack) fn git(dir: &Path, args: &[&str], input: Option<&[u8]>) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.unwrap_or_default()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// A zlib stream of `data` in stored blocks of one byte each: valid, but six times as
/// long as the data, past what zlib itself ever writes ([`zlib_bound`]).
fn one_byte_blocks(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    for (i, &b) in data.iter().enumerate() {
        out.push(u8::from(i + 1 == data.len()));
        out.extend_from_slice(&[1, 0, 0xfe, 0xff, b]);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    out.extend_from_slice(&(b << 16 | a).to_be_bytes());
    out
}

/// An object is read from the bytes read first when it ends there (the next object's
/// bytes after it change nothing), and read again exactly as stored when its stream
/// is longer than zlib's bound: a valid pack from another writer is never unreadable.
#[test]
fn objects_read_whatever_their_streams_length() {
    let long: Vec<u8> = (0..200u8).collect();
    let short = b"tree of a few bytes".to_vec();
    let mut pack = b"PACK\0\0\0\x02\0\0\0\x02".to_vec();
    let mut offsets = Vec::new();
    for (data, stream) in [
        (&long, one_byte_blocks(&long)),
        (&short, {
            let mut c = libdeflater::Compressor::new(libdeflater::CompressionLvl::default());
            let mut out = vec![0; c.zlib_compress_bound(short.len())];
            let n = c.zlib_compress(&short, &mut out).unwrap();
            out.truncate(n);
            out
        }),
    ] {
        offsets.push(pack.len() as u64);
        // Type 3 (blob), the size in the header's four bits and the next byte's seven.
        let n = data.len();
        pack.push(0x80 | 0x30 | (n & 0x0f) as u8);
        pack.push((n >> 4) as u8);
        pack.extend_from_slice(&stream);
    }
    let end = pack.len() as u64;
    pack.extend_from_slice(&[0; ID_LEN]);
    let mut file = tempfile::tempfile().unwrap();
    std::io::Write::write_all(&mut file, &pack).unwrap();
    let idx_file = tempfile::tempfile().unwrap();
    std::io::Write::write_all(&mut &idx_file, b"x").unwrap();
    let objects = offsets.iter().map(|&o| (o, [0; ID_LEN])).collect();
    let packs = Packs {
        packs: vec![Pack::new(file, map(&idx_file, 1).unwrap(), objects, end).unwrap()],
    };
    let mut z = Decompressor::new();
    for (offset, data) in offsets.iter().zip([&long, &short]) {
        match packs.entry(&mut z, 0, *offset, 1 << 20) {
            Some(Entry::Whole(3, got)) => assert_eq!(&got, data),
            _ => panic!("the blob at {offset} reads"),
        }
    }
}

#[test]
fn object_headers() {
    // Type 1 (commit), size 0x0f | (0x12 << 4) = 0x12f, data after two bytes.
    assert_eq!(object_header(&[0x9f, 0x12, 0xaa], 0), Some((1, 0x12f, 2)));
    assert_eq!(object_header(&[0x35], 0), Some((3, 5, 1)));
    // Truncated: the continuation byte is missing.
    assert_eq!(object_header(&[0x9f], 0), None);
}

#[test]
fn deltas() {
    let base = b"hello, world";
    // Target 13 bytes: copy "hello" (offset 0, size 5), insert "!", copy ", world".
    let mut delta = vec![12, 13];
    delta.extend_from_slice(&[0x80 | 0x10, 5]); // copy offset 0 (omitted), size 5
    delta.extend_from_slice(&[1, b'!']);
    delta.extend_from_slice(&[0x80 | 0x01 | 0x10, 5, 7]); // copy offset 5, size 7
    let (src, rest) = delta_size(&delta).unwrap();
    let (dst, ops) = delta_size(rest).unwrap();
    assert_eq!((src, dst), (12, 13));
    assert_eq!(apply_delta(base, ops, dst).unwrap(), b"hello!, world");
    // A copy past the end of the base, or a wrong target size, is refused.
    assert!(apply_delta(base, &[0x80 | 0x01 | 0x10, 10, 7], 7).is_none());
    assert!(apply_delta(base, &[1, b'x'], 2).is_none());
    assert!(apply_delta(base, &[0], 0).is_none());
}

/// Objects found by offset through the 64 KiB stretches, at their edges too; an offset
/// where no object starts is none.
#[test]
fn objects_by_offset() {
    let file = tempfile::tempfile().unwrap();
    let mut idx_file = tempfile::tempfile().unwrap();
    std::io::Write::write_all(&mut idx_file, b"x").unwrap();
    let idx = map(&idx_file, 1).unwrap();
    let offsets = [12, 100, 65_535, 65_536, 65_537, 200_000, 299_999];
    let objects = offsets.iter().map(|&o| (o, [0; ID_LEN])).collect();
    let pack = Pack::new(file, idx, objects, 300_000).unwrap();
    for (i, &o) in offsets.iter().enumerate() {
        assert_eq!(pack.index_at(o), Some(i), "at {o}");
    }
    for o in [0, 13, 65_534, 70_000, 131_072, 300_000, u64::MAX] {
        assert_eq!(pack.index_at(o), None, "at {o}");
    }
}

#[test]
fn not_an_index() {
    assert!(index_objects(b"nope", 100).is_none());
    let mut idx = b"\xfftOc\x00\x00\x00\x02".to_vec();
    idx.extend_from_slice(&[0u8; 256 * 4]);
    // Zero objects but no checksums: the length does not add up.
    assert!(index_objects(&idx, 100).is_none());
    idx.extend_from_slice(&[0u8; 40]);
    assert_eq!(index_objects(&idx, 100), Some(Vec::new()));
}
