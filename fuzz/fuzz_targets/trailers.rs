//! Commit trailers: the block finder, the trailer parser, and the outside-block check.
#![no_main]

use libfuzzer_sys::fuzz_target;
use practrace::extract::trailers;

fuzz_target!(|data: &[u8]| {
    let parsed = trailers::parse(data);
    assert!(
        parsed.block.start <= parsed.block.end && parsed.block.end <= data.len(),
        "block {:?} outside the input of {} bytes",
        parsed.block,
        data.len()
    );
    for t in &parsed.trailers {
        let _ = t.unfolded_value();
        let _ = t.has_key("Practice");
    }
    let _ = trailers::lines_outside_block(data, &parsed.block, &["Practice".to_string()]);
});
