//! The configuration file: any text through the hardened YAML reader, and what parses
//! checked against the built-in model. Every failure must be a located error, never a
//! panic, a hang or an out-of-memory.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use practrace::config::{ConfigFile, FILE_NAME};
use practrace::model::Model;

static MODEL: OnceLock<Model> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let model = MODEL.get_or_init(Model::builtin);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match ConfigFile::parse(text, FILE_NAME) {
        Ok(file) => {
            if let Ok(policy) = file.policy(model, FILE_NAME) {
                assert_eq!(policy.targets.len(), model.process_areas.len());
                assert_eq!(policy.not_applicable.len(), model.practices.len());
                assert_eq!(policy.evidence_map_places.len(), policy.evidence_map.len());
                // 0 is "track only" (rated and shown, never below target); else a level
                // of the model.
                let max = model.levels.iter().map(|l| l.level).max().unwrap_or(1);
                assert!(
                    policy.targets.iter().all(|&t| t <= max),
                    "targets {:?} beyond the model's levels (0 to {max})",
                    policy.targets
                );
            }
        }
        Err(e) => assert!(!e.message.is_empty(), "an error without a message"),
    }
});
