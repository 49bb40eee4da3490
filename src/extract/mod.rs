//! Extraction: raw tags with their locations, from front matter and commit trailers.

pub mod commit;
pub mod front_matter;
pub mod trailers;
pub mod yaml;
