//! The roll-up as one self-contained HTML page: the heat map of repositories × process
//! areas (achieved / target, in the evidence matrix's colours), the totals per area below
//! it, and a section per repository with its stamp and areas, each row of the heat map
//! linking to its section (`#r1`, `#r2`, … in row order). No script; nothing fetched.
//!
//! The template is `templates/merge.html` (minijinja, auto-escaping every value: a
//! repository name holding `<script>` shows as text).

use minijinja::{Environment, UndefinedBehavior, context};

use super::{MergeError, Rollup};

const TEMPLATE: &str = include_str!("../../templates/merge.html");

/// Renders the roll-up as HTML.
pub fn render(rollup: &Rollup) -> Result<String, MergeError> {
    let template_error = |e: minijinja::Error| MergeError::Template(format!("{e:#}"));
    let mut env = Environment::new();
    // A misspelt field is an error, not an empty string.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_template("palette.css", crate::matrix::html::PALETTE)
        .map_err(template_error)?;
    env.add_template("merge.html", TEMPLATE)
        .map_err(template_error)?;
    let means: Vec<String> = rollup.totals.iter().map(|t| t.mean_text()).collect();
    let configs: Vec<String> = rollup
        .repositories
        .iter()
        .map(|r| r.config.text())
        .collect();
    env.get_template("merge.html")
        .and_then(|t| {
            t.render(context! {
                r => minijinja::value::Serde(rollup),
                means => means,
                configs => configs,
            })
        })
        .map_err(template_error)
}

/// Writes the roll-up as HTML.
pub fn write(rollup: &Rollup, out: &mut dyn std::io::Write) -> Result<(), MergeError> {
    out.write_all(render(rollup)?.as_bytes())?;
    Ok(())
}
