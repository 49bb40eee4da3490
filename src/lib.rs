//! practrace: an evidence-linking traceability engine.
//!
//! It scans a git repository for work products tagged with the practice ids of a process
//! model — in YAML front matter and in commit trailers — links each artifact to the
//! practices it evidences, and rates each process area's capability level with its gaps.
//! The built-in model is the SSE-CMM (ISO/IEC 21827:2002).
//!
//! The modules follow the data: [`source`] → [`extract`] → [`resolve`] (against the
//! [`model`]) → [`scan`] → [`graph`] → [`rate`] → [`report`]; [`graph_export`] draws the
//! graph from a report.
//!
//! ```
//! use practrace::model::Model;
//! let model = Model::builtin();
//! let found = practrace::resolve::resolve(&model, "bp.5.2", &[]).unwrap();
//! assert_eq!(model.practices[found[0]].id, "BP.05.02");
//! ```

pub mod ageing;
pub mod cache;
pub mod check;
pub mod commands;
pub mod config;
pub mod diag;
pub mod digest;
pub mod evidence;
pub mod explain;
pub mod extract;
pub mod files;
pub mod freshness;
pub mod graph;
pub mod graph_export;
pub mod history;
pub mod incremental;
pub mod matrix;
pub mod memory;
pub mod merge;
pub mod model;
pub mod onboard;
pub mod pipeline;
pub mod rate;
pub mod report;
pub mod resolve;
pub mod scan;
pub mod source;
pub mod term;
pub mod verify;

pub use incremental::{write_status_json, write_status_json_derived};
pub use pipeline::{
    Analysis, AnalysisError, Configured, Request, analyze, analyze_pair, analyze_source, configure,
    link_touched, rate_scan,
};
