//! Practice ids: the lenient parser, its canonical round trip, and resolution against the
//! built-in model (with its "did you mean" repair).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use practrace::model::Model;

static MODEL: OnceLock<Model> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let model = MODEL.get_or_init(Model::builtin);
    let s = String::from_utf8_lossy(data);
    if let Ok(parsed) = practrace::model::id::parse(&s) {
        let canonical = parsed.canonical();
        assert_eq!(
            practrace::model::id::parse(&canonical),
            Ok(parsed),
            "{s:?} parsed as {parsed:?}, but its canonical form {canonical:?} does not"
        );
    }
    let _ = practrace::resolve::resolve(model, &s, &[5]);
    let _ = practrace::resolve::resolve_area(model, &s);
});
