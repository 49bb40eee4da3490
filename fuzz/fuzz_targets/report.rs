//! `verify`'s report reader: any bytes through `verify::read_report`, the one reader
//! `verify` uses: the typed JSON parse (a duplicate field is refused), the `tool.name`,
//! evidence path and object id checks, and how the report was made (configuration, options,
//! model). No repository is opened. What it accepts must be safe for `verify` to act on:
//! paths inside a repository and 40-digit lower-case ids; what it refuses, a located
//! `NotAReport` error, never a panic, a hang or an out-of-memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use practrace::verify::{self, VerifyError};

const SHOWN: &str = "fuzz-input.json";

/// 40 lower-case hex digits, as `verify` keeps every object id.
fn object_id(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fuzz_target!(|data: &[u8]| {
    match verify::read_report(data, SHOWN) {
        Ok(claims) => {
            if let Some(commit) = claims.commit() {
                assert!(object_id(commit), "report commit {commit:?}");
            }
            for (path, blob, practices) in claims.files() {
                assert!(
                    !path.is_empty()
                        && !path.contains('\0')
                        && path
                            .split('/')
                            .all(|c| !c.is_empty() && c != "." && c != ".."),
                    "evidence path {path:?} is not inside a repository"
                );
                assert!(object_id(blob), "{path}: blob {blob:?}");
                assert!(
                    !practices.is_empty(),
                    "{path}: file evidence for no practice"
                );
            }
            for (commit, practices) in claims.commits() {
                assert!(object_id(commit), "evidence commit {commit:?}");
                assert!(
                    !practices.is_empty(),
                    "{commit}: commit evidence for no practice"
                );
            }
        }
        Err(VerifyError::NotAReport { path, message }) => {
            assert_eq!(path, SHOWN);
            assert!(!message.is_empty(), "an error without a message");
        }
        Err(e) => panic!("reading a report gave an error other than NotAReport: {e}"),
    }
});
