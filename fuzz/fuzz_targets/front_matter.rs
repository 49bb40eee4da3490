//! Front matter: the splitter, the cheap pre-check, and the YAML reader behind them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use practrace::extract::front_matter::{self, Split};

fuzz_target!(|data: &[u8]| {
    let may = front_matter::may_start_front_matter(data);
    match front_matter::split(data, 64 * 1024) {
        Split::FrontMatter(fm) => {
            // Front matter is only found where the pre-check says it may start.
            assert!(
                may,
                "split found front matter that may_start_front_matter rejects"
            );
            // The front matter is a sub-slice of the input.
            let (start, end) = (data.as_ptr() as usize, data.as_ptr() as usize + data.len());
            let fm_start = fm.as_ptr() as usize;
            assert!(fm_start >= start && fm_start + fm.len() <= end);
            let _ = front_matter::read(fm, "practices");
        }
        Split::TooLarge => assert!(may),
        Split::None => {}
    }
});
