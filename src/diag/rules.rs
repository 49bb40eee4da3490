//! What each [`Code`] is as a rule of an analysis tool: a stable, opaque id (SARIF's
//! `reportingDescriptor.id`, `PT` and four digits, as `CS2001` or `SARIF1001` are), a full
//! description and help on what to do. GitHub code scanning requires all three of every
//! rule a SARIF log names, and shows them beside each alert.
//!
//! The ids are part of the output contract: code scanning tracks an alert by its rule id
//! and fingerprint, so an id is never changed, reused or renumbered. A new code takes the
//! next free number.

use super::Code;

/// A code as a rule: what SARIF's `reportingDescriptor` carries besides the kebab-case
/// name (its `name`) and [`Code::description`] (its `shortDescription`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The code.
    pub code: Code,
    /// The stable, opaque id (`PT0001`).
    pub id: &'static str,
    /// What the finding means and why it matters, in a few sentences.
    pub full_description: &'static str,
    /// What to do about it.
    pub help: &'static str,
}

/// Every code as a rule, in id order.
pub const RULES: &[Rule] = &[
    Rule {
        code: Code::MalformedId,
        id: "PT0001",
        full_description: "A tag in front matter, a commit trailer or the evidence map is not a practice id of any form (BP.05.02, GP.2.1.3@PA05). It is not evidence; the valid tags beside it still count.",
        help: "Write the id as the model spells it: BP.nn.nn for a base practice, GP.n.n.n@PAnn for a generic practice (case and leading zeros do not matter). `practrace list` shows every id.",
    },
    Rule {
        code: Code::UnknownPractice,
        id: "PT0002",
        full_description: "A tag has the form of a practice id but names no practice of the model the repository is rated against (the built-in SSE-CMM, or the model named in .practrace.yaml). It is not evidence, so the practice it meant may look unevidenced.",
        help: "Correct the id: the message names the practices of that area, or the closest id. `practrace list --pa PAnn` shows an area's practices.",
    },
    Rule {
        code: Code::UnscopedGenericPractice,
        id: "PT0003",
        full_description: "A generic practice is tagged without a process area. Generic practices are rated per process area, so the tag cannot count toward any one of them.",
        help: "Add the area the work applies to: GP.2.1.1@PA05, or list the area under `process_areas` in the front matter.",
    },
    Rule {
        code: Code::ScopeMismatch,
        id: "PT0004",
        full_description: "A base practice is qualified with a process area it does not belong to (BP.05.02@PA07). The tag is not evidence: base practices belong to exactly one area.",
        help: "Drop the @PAnn qualifier from the base practice, or correct the practice id.",
    },
    Rule {
        code: Code::NotAPractice,
        id: "PT0005",
        full_description: "A process area id (PA05) is tagged where a practice is expected. An area is rated from the evidence of its practices, so the tag counts for nothing.",
        help: "Tag the practices of the area the work product evidences; `practrace list --pa PAnn` shows them.",
    },
    Rule {
        code: Code::InvalidFrontMatter,
        id: "PT0006",
        full_description: "A file's front matter is not valid YAML, or its practices key is not a list of ids. Nothing it tags is read, so the file is evidence for nothing.",
        help: "Fix the YAML at the place given (YAML is read strictly: no anchors, aliases or duplicate keys) and write the practices as a list, e.g. `practices: [BP.05.02]`.",
    },
    Rule {
        code: Code::FrontMatterTooLarge,
        id: "PT0007",
        full_description: "A file's front matter is larger than the limit (64 KiB by default), so it is not read and the file is evidence for nothing.",
        help: "Shorten the front matter (keep the practices list and move the rest into the body), or raise the limit with --max-front-matter.",
    },
    Rule {
        code: Code::TrailerOutsideBlock,
        id: "PT0008",
        full_description: "A commit message has a Practice line that git does not read as a trailer, because it is not in the message's last paragraph or that paragraph is not a trailer block. git interpret-trailers would not show it, so it is not evidence.",
        help: "Move the line into the trailer block at the end of the message (beside Signed-off-by), with a blank line before the block, in a new commit or by rewording an unpublished one.",
    },
    Rule {
        code: Code::MisspeltKey,
        id: "PT0009",
        full_description: "A front matter key or commit trailer key is almost the configured one (practices, Practice) and its value holds something shaped like a practice id. What it lists is not read, so that evidence silently does not count.",
        help: "Spell the key as configured (front_matter_key and trailer_keys in .practrace.yaml): the message names the key it was probably meant to be.",
    },
    Rule {
        code: Code::FileTooLarge,
        id: "PT0010",
        full_description: "A file is larger than the size limit (1 MiB by default), so it is not read: tags in its front matter do not count.",
        help: "Raise max_file_size in .practrace.yaml (or --max-file-size) if the file is evidence, or list it under ignore if it is not.",
    },
    Rule {
        code: Code::UnreadableFile,
        id: "PT0011",
        full_description: "A file could not be read (permissions, an I/O error, or the repository could not be opened to read it), so its tags do not count.",
        help: "Make the file readable (the message says why it was not) and run again.",
    },
    Rule {
        code: Code::UnreadableObject,
        id: "PT0012",
        full_description: "A git object (a blob, tree or commit) could not be read from the object database, so what it holds does not count. The repository may be damaged or partly fetched.",
        help: "Run git fsck, and fetch the missing objects (a partial clone needs them fetched in full).",
    },
    Rule {
        code: Code::ShallowHistory,
        id: "PT0013",
        full_description: "The repository is a shallow clone: commits beyond the cut are not read, so trailer evidence in them does not count.",
        help: "Fetch the whole history (actions/checkout with fetch-depth: 0, or git fetch --unshallow).",
    },
    Rule {
        code: Code::MessageTooLarge,
        id: "PT0014",
        full_description: "A commit message is larger than the limit (1 MiB by default), so its trailers are not read.",
        help: "Raise the limit with --max-message-size if the commit carries evidence.",
    },
    Rule {
        code: Code::TooManyIds,
        id: "PT0015",
        full_description: "One file or commit message names more practice ids than the limit (1000 by default); the ids past the limit are not read.",
        help: "Split the work product, or raise the limit with --max-ids.",
    },
    Rule {
        code: Code::EvidenceMapUnmatched,
        id: "PT0016",
        full_description: "An evidence_map rule of .practrace.yaml matches no scanned file, so the practices it names get no evidence from it: often a typo in a glob or a file moved away.",
        help: "Correct the rule's globs (they match paths from the repository root; * stays within a folder, ** crosses folders), or remove the rule.",
    },
    Rule {
        code: Code::StaleEvidence,
        id: "PT0017",
        full_description: "Evidence is older than the freshness limit set for its practice in .practrace.yaml. It is shown in every report but does not count toward capability levels.",
        help: "Review and update the work product (a new commit makes it fresh), or change the limit under freshness in .practrace.yaml.",
    },
    Rule {
        code: Code::BelowTarget,
        id: "PT0018",
        full_description: "A process area's achieved capability level is below the target set for it in .practrace.yaml (targets, default_target). The message lists the practices missing evidence up to the target.",
        help: "Add evidence for the practices listed (tag a work product in its front matter, or a commit with a Practice trailer); `practrace explain ID` says what a practice asks. A target of 0 tracks an area without gating it.",
    },
    Rule {
        code: Code::EvidenceLost,
        id: "PT0019",
        full_description: "Compared with the base revision, a file or commit is no longer evidence for a practice: the file was deleted, ignored or untagged, or a commit with trailers is no longer in the history (rebased, squashed or dropped).",
        help: "Restore the tag or the file, tag the work product that replaces it, or repeat the trailer in a commit of the branch.",
    },
    Rule {
        code: Code::LevelLowered,
        id: "PT0020",
        full_description: "Compared with the base revision, a process area's achieved capability level fell, because evidence was lost or went stale.",
        help: "Restore the evidence the evidence-lost findings list, or add new evidence for those practices.",
    },
    Rule {
        code: Code::EvidenceAdded,
        id: "PT0021",
        full_description: "Compared with the base revision, a file or commit is new evidence for a practice. Good news: it never fails the check.",
        help: "Nothing to do.",
    },
    Rule {
        code: Code::EvidenceMoved,
        id: "PT0022",
        full_description: "Compared with the base revision, a file that is evidence was moved or renamed and kept its tags, so its evidence is not lost.",
        help: "Nothing to do; practices the new path no longer evidences are reported as evidence-lost.",
    },
    Rule {
        code: Code::LevelRaised,
        id: "PT0023",
        full_description: "Compared with the base revision, a process area's achieved capability level rose. Good news: it never fails the check.",
        help: "Nothing to do; to keep the new level, raise the area's target in .practrace.yaml.",
    },
    Rule {
        code: Code::EvidenceStale,
        id: "PT0024",
        full_description: "Evidence the base revision counted is still there but has gone stale: older than its freshness limit, it no longer counts toward levels.",
        help: "Review and update the work product, or change the limit under freshness in .practrace.yaml.",
    },
    Rule {
        code: Code::ObjectsAbsent,
        id: "PT0025",
        full_description: "The repository is a partial clone whose filter left out objects the scan needs (file contents, or the trees of old folders): what they hold is not known, so their evidence is neither counted nor reported lost.",
        help: "Run the fetch command the message gives (it fetches exactly the absent objects), or scan a full clone.",
    },
];

impl Code {
    /// The code as a rule: its stable id, full description and help.
    pub fn rule(self) -> &'static Rule {
        // Every code has an entry (a test checks it); the first entry is only reached if
        // one were missing, and then a rule of the wrong text beats a panic in a renderer.
        RULES.iter().find(|r| r.code == self).unwrap_or(&RULES[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code of the JSON schema's enumeration, as the kebab-case names serde writes.
    fn every_code() -> Vec<Code> {
        fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(m) => {
                    for (k, x) in m {
                        match (k.as_str(), x) {
                            ("const", serde_json::Value::String(s)) => out.push(s.clone()),
                            ("enum", serde_json::Value::Array(a)) => {
                                out.extend(a.iter().filter_map(|s| s.as_str().map(str::to_string)))
                            }
                            _ => strings(x, out),
                        }
                    }
                }
                serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
                _ => {}
            }
        }
        let schema = serde_json::to_value(schemars::schema_for!(Code)).unwrap();
        let mut names = Vec::new();
        strings(&schema, &mut names);
        names
            .iter()
            .map(|n| serde_json::from_value(serde_json::Value::from(n.as_str())).unwrap())
            .collect()
    }

    #[test]
    fn every_code_has_exactly_one_rule() {
        let codes = every_code();
        assert_eq!(codes.len(), 25, "a new code needs a rule here: {codes:?}");
        for code in codes {
            let n = RULES.iter().filter(|r| r.code == code).count();
            assert_eq!(n, 1, "{code}: {n} rules");
            assert_eq!(code.rule().code, code);
        }
        assert_eq!(RULES.len(), 25);
    }

    #[test]
    fn rule_ids_are_opaque_unique_and_never_renumbered() {
        for (i, r) in RULES.iter().enumerate() {
            // Numbered in order from PT0001: a new code takes the next number, so an
            // existing code's id never changes (code scanning tracks alerts by it).
            assert_eq!(r.id, format!("PT{:04}", i + 1), "{}", r.code);
            assert_ne!(r.id, r.code.as_str());
            assert!(!r.full_description.is_empty() && !r.help.is_empty());
            assert!(
                r.full_description.len() <= 1000,
                "{}: GitHub's limit",
                r.code
            );
        }
        // Pinned: the first and last of today's codes.
        assert_eq!(Code::MalformedId.rule().id, "PT0001");
        assert_eq!(Code::BelowTarget.rule().id, "PT0018");
        assert_eq!(Code::EvidenceStale.rule().id, "PT0024");
        assert_eq!(Code::ObjectsAbsent.rule().id, "PT0025");
    }
}
