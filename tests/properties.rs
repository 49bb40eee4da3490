//! Properties: canonical ids round-trip through lenient spellings, and the parsers of
//! untrusted text (front matter splitter and reader, trailer parser, id parser) never panic.

use practrace::extract::{front_matter, trailers};
use practrace::model::id::{self, ParsedId};
use proptest::prelude::*;

fn spell(n: u8, width: usize, pad: bool) -> String {
    if pad {
        format!("{n:0width$}")
    } else {
        n.to_string()
    }
}

proptest! {
    #[test]
    fn base_ids_round_trip(area in 1u8..=99, n in 1u8..=99, lower in any::<bool>(), pad_a in any::<bool>(), pad_n in any::<bool>()) {
        let written = format!("BP.{}.{}", spell(area, 2, pad_a), spell(n, 2, pad_n));
        let written = if lower { written.to_lowercase() } else { written };
        let parsed = id::parse(&written).unwrap();
        prop_assert_eq!(parsed, ParsedId::Base { area, n, qualifier: None });
        let canonical = parsed.canonical();
        prop_assert_eq!(id::parse(&canonical).unwrap(), parsed);
        prop_assert_eq!(canonical, format!("BP.{area:02}.{n:02}"));
    }

    #[test]
    fn generic_ids_round_trip(level in 1u8..=9, feature in 1u8..=9, n in 1u8..=99, area in 1u8..=99, lower in any::<bool>()) {
        let written = format!("GP.{level}.{feature}.{n}@PA{area}");
        let written = if lower { written.to_lowercase() } else { written };
        let parsed = id::parse(&written).unwrap();
        prop_assert_eq!(parsed.canonical(), format!("GP.{level}.{feature}.{n}@PA{area:02}"));
        prop_assert_eq!(id::parse(&parsed.canonical()).unwrap(), parsed);
    }

    #[test]
    fn id_parser_never_panics(text in ".{0,40}") {
        let _ = id::parse(&text);
        static MODEL: std::sync::OnceLock<practrace::model::Model> = std::sync::OnceLock::new();
        let model = MODEL.get_or_init(practrace::model::Model::builtin);
        let _ = practrace::resolve::resolve(model, &text, &[5]);
    }

    #[test]
    fn front_matter_never_panics(body in proptest::collection::vec(any::<u8>(), 0..400), bom in any::<bool>(), crlf in any::<bool>()) {
        let mut file = Vec::new();
        if bom { file.extend_from_slice(b"\xEF\xBB\xBF"); }
        file.extend_from_slice(if crlf { b"---\r\n" } else { b"---\n" });
        file.extend_from_slice(&body);
        file.extend_from_slice(b"\n---\n");
        if let front_matter::Split::FrontMatter(fm) = front_matter::split(&file, 300) {
            let _ = front_matter::read(fm, "practices");
        }
    }
}

proptest! {
    // Generating these messages is slow in a debug build: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn trailer_parser_never_panics(msg in proptest::collection::vec(prop_oneof![
        Just(b'\n'), Just(b' '), Just(b'\t'), Just(b':'), Just(b'#'), Just(b'-'), Just(b'\r'), Just(0u8),
        Just(b'P'), Just(b'a'), any::<u8>()], 0..300)) {
        let parsed = trailers::parse(&msg);
        for t in &parsed.trailers {
            let _ = t.unfolded_value();
        }
        prop_assert!(parsed.block.start <= parsed.block.end && parsed.block.end <= msg.len());
        let _ = trailers::lines_outside_block(&msg, &parsed.block, &["Practice".into()]);
    }
}
