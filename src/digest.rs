//! Digests that name and check things practrace makes itself: cache keys and checksums,
//! baseline fingerprints, the model's digest.

use std::hash::Hasher;

/// FNV-1a, 64 bits: a checksum and a name, not a defence against an attacker.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h = Fnv::default();
    for p in parts {
        h.write(p);
        h.write(&[0xff]);
    }
    h.finish()
}

/// The first `digits` hex digits (at most 64) of the BLAKE3 hash of `bytes`: a name that
/// content cannot be made to share with other content (FNV's can).
pub fn blake3_hex(bytes: &[u8], digits: usize) -> String {
    let mut hex = blake3::hash(bytes).to_hex().to_string();
    hex.truncate(digits);
    hex
}
