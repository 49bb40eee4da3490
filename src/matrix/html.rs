//! The matrix as one self-contained HTML page: CSS and JavaScript inline, nothing fetched.
//! A heat map of process areas × capability levels, a drill-down per area to its practices
//! and evidence, a filter box, and a print stylesheet.
//!
//! The template is `templates/matrix.html` (minijinja, built into the binary). Its name
//! ends in `.html`, so minijinja escapes every value for HTML (auto-escaping): a path or
//! commit subject holding `<script>` shows as text. The template marks nothing as safe.

use minijinja::{Environment, UndefinedBehavior, context};

use super::{Matrix, MatrixError};

const TEMPLATE: &str = include_str!("../../templates/matrix.html");

/// The colours of the heat maps (`:root` CSS variables), which the organisation roll-up's
/// page shares (`templates/palette.css`, included as `palette.css`).
pub const PALETTE: &str = include_str!("../../templates/palette.css");

/// Renders the matrix as HTML.
pub fn render(matrix: &Matrix) -> Result<String, MatrixError> {
    let mut env = Environment::new();
    // A misspelt field is an error, not an empty string.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_template("palette.css", PALETTE)
        .map_err(|e| MatrixError::Template(e.to_string()))?;
    env.add_template("matrix.html", TEMPLATE)
        .map_err(|e| MatrixError::Template(e.to_string()))?;
    let template = env
        .get_template("matrix.html")
        .map_err(|e| MatrixError::Template(e.to_string()))?;
    let diagnostics: Vec<Vec<String>> = matrix
        .diagnostics
        .iter()
        .map(super::diagnostic_cells)
        .collect();
    template
        .render(context! {
            m => minijinja::value::Serde(matrix),
            fields => minijinja::value::Serde(matrix.header.fields()),
            diagnostics => minijinja::value::Serde(diagnostics),
        })
        .map_err(|e| MatrixError::Template(format!("{e:#}")))
}

/// Writes the matrix as HTML.
pub fn write(matrix: &Matrix, out: &mut dyn std::io::Write) -> Result<(), MatrixError> {
    out.write_all(render(matrix)?.as_bytes())?;
    Ok(())
}
