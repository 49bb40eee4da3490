//! The matrix as one self-contained HTML page: CSS and JavaScript inline, nothing fetched.
//! A heat map of process areas × capability levels, a drill-down per area to its practices
//! and evidence, the gaps, the diagnostics, a filter box, and a print stylesheet.
//!
//! Only the small parts are HTML from the server: the stamp, the heat map, each area's
//! heading, the gaps. The practices with their evidence and the diagnostics — 163,000
//! evidence rows on a large repository, which as HTML made a 57 MB page that a browser
//! needed seconds to lay out — travel as compressed data ([`super::html_data`]) that the
//! page's script (`templates/matrix.js`) renders when an area is opened, named in the
//! address (`#PA05`), matched by the filter, or printed.
//!
//! The template is `templates/matrix.html` (minijinja, built into the binary). Its name
//! ends in `.html`, so minijinja escapes every value for HTML (auto-escaping): a path or
//! commit subject holding `<script>` shows as text. The template marks nothing as safe;
//! the script puts repository text into the page only as text nodes.

use minijinja::{Environment, UndefinedBehavior, context};
use serde::Serialize;

use super::{AreaView, Cell, Matrix, MatrixError};

const TEMPLATE: &str = include_str!("../../templates/matrix.html");

/// The page's script: renders the data on demand.
const SCRIPT: &str = include_str!("../../templates/matrix.js");

/// The colours of the heat maps (`:root` CSS variables), which the organisation roll-up's
/// page shares (`templates/palette.css`, included as `palette.css`).
pub const PALETTE: &str = include_str!("../../templates/palette.css");

/// What the page shows of an area as HTML: its heat map row and its heading.
#[derive(Serialize)]
struct AreaHead<'a> {
    id: &'a str,
    title: &'a str,
    applicable: bool,
    achieved_level: Option<u8>,
    target_level: u8,
    cells: &'a [Cell],
    evidenced: usize,
    in_scope: usize,
}

impl<'a> AreaHead<'a> {
    fn of(a: &'a AreaView) -> Self {
        AreaHead {
            id: &a.id,
            title: &a.title,
            applicable: a.applicable,
            achieved_level: a.achieved_level,
            target_level: a.target_level,
            cells: &a.cells,
            evidenced: a.evidenced,
            in_scope: a.in_scope,
        }
    }
}

/// Writes the matrix as HTML to `out`, as it is rendered.
pub fn write(matrix: &Matrix, out: &mut dyn std::io::Write) -> Result<(), MatrixError> {
    let template_error = |e: minijinja::Error| MatrixError::Template(format!("{e:#}"));
    let mut env = Environment::new();
    // A misspelt field is an error, not an empty string.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_template("palette.css", PALETTE)
        .map_err(template_error)?;
    env.add_template("matrix.js", SCRIPT)
        .map_err(template_error)?;
    env.add_template("matrix.html", TEMPLATE)
        .map_err(template_error)?;
    let template = env.get_template("matrix.html").map_err(template_error)?;
    let data = super::html_data::encode(matrix)?;
    let areas: Vec<AreaHead<'_>> = matrix.areas.iter().map(AreaHead::of).collect();
    let mut out = std::io::BufWriter::new(out);
    template
        .render_captured_to(
            context! {
                header => minijinja::value::Serde(&matrix.header),
                fields => minijinja::value::Serde(matrix.header.fields()),
                levels => minijinja::value::Serde(&matrix.levels),
                areas => minijinja::value::Serde(areas),
                gaps => minijinja::value::Serde(&matrix.gaps),
                diagnostics => matrix.diagnostics.len(),
                data_id => super::html_data::ELEMENT_ID,
                data => data,
            },
            &mut out,
        )
        .map_err(template_error)?;
    std::io::Write::flush(&mut out)?;
    Ok(())
}
