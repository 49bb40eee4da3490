//! The HTML matrix's packed data (`src/matrix/html_data.rs`), unpacked here the way the
//! page's script unpacks it — base64url, gunzip, JSON — without the code that packed it,
//! and resolved into the shape of the JSON report's evidence, so that tests compare the two.

use base64::Engine;
use serde_json::{Value, json};

/// The data element's opening tag.
pub const DATA_OPEN: &str = "<script type=\"application/octet-stream\" id=\"matrix-data\">";

/// The text of the page's data element.
pub fn packed(html: &str) -> &str {
    let start = html.find(DATA_OPEN).expect("a data element") + DATA_OPEN.len();
    let end = start
        + html[start..]
            .find("</script>")
            .expect("the data element closes");
    &html[start..end]
}

/// The page's data, unpacked.
pub fn data(html: &str) -> Value {
    let packed = packed(html);
    assert!(
        packed
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "the data element holds base64url only"
    );
    let gzip = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(packed)
        .expect("base64url");
    assert!(gzip.len() > 18 && gzip[..2] == [0x1f, 0x8b], "gzip");
    let size = u32::from_le_bytes(gzip[gzip.len() - 4..].try_into().unwrap()) as usize;
    let mut json = vec![0; size];
    let n = libdeflater::Decompressor::new()
        .gzip_decompress(&gzip, &mut json)
        .expect("gzip inflates");
    assert_eq!(n, size);
    serde_json::from_slice(&json).expect("JSON")
}

/// Index `i` of a tuple, `-1` (none) past its end.
fn cell(tuple: &[Value], i: usize) -> i64 {
    tuple.get(i).map_or(-1, |v| v.as_i64().expect("a number"))
}

/// Row `i` of table `name`, `Null` for `-1`.
fn row(data: &Value, name: &str, i: i64) -> Value {
    match usize::try_from(i) {
        Ok(i) => data[name][i].clone(),
        Err(_) => Value::Null,
    }
}

/// An evidence tuple, resolved: for a file `{kind, path, blob, line, source, note,
/// last_commit, freshness, stale}`, for a commit `{kind, commit, author, date, subject,
/// freshness, stale}` (`source` and `freshness` as the page shows them).
pub fn resolve(data: &Value, tuple: &Value) -> Value {
    let t = tuple.as_array().expect("a tuple");
    let flags = cell(t, 0);
    let commit = row(data, "commits", cell(t, 2));
    let commit = (!commit.is_null()).then(|| {
        json!({"commit": commit[0], "author": row(data, "texts", commit[1].as_i64().unwrap()),
               "date": commit[2], "subject": commit[3]})
    });
    let freshness = row(data, "texts", cell(t, 6));
    let stale = flags & 2 != 0;
    if flags & 1 == 1 {
        let mut c = commit.expect("a commit evidence has its commit");
        c["kind"] = json!("commit");
        c["freshness"] = freshness;
        c["stale"] = json!(stale);
        return c;
    }
    let file = row(data, "files", cell(t, 1));
    let line = cell(t, 3);
    json!({"kind": "file", "path": file[0], "blob": file[1],
           "line": if line < 0 { Value::Null } else { json!(line) },
           "source": row(data, "texts", cell(t, 4)), "note": row(data, "texts", cell(t, 5)),
           "last_commit": commit, "freshness": freshness, "stale": stale})
}

/// Every practice of the data, in page order, with its evidence resolved.
pub fn practices(data: &Value) -> Vec<(String, Vec<Value>)> {
    let mut out = Vec::new();
    for area in data["areas"].as_array().expect("areas") {
        for group in area["groups"].as_array().expect("groups") {
            for p in group["practices"].as_array().expect("practices") {
                let evidence = p["evidence"].as_array().expect("evidence");
                let id = p["id"].as_str().unwrap().to_string();
                out.push((id, evidence.iter().map(|e| resolve(data, e)).collect()));
            }
        }
    }
    out
}

/// A file's source as the page shows it (the JSON report's `source` object).
fn source_label(source: &Value) -> Value {
    match source["kind"].as_str() {
        Some("front-matter") => json!("front matter"),
        Some("evidence-map") => json!(format!(
            "evidence_map[{}]: {}",
            source["rule"],
            source["glob"].as_str().unwrap()
        )),
        other => panic!("unknown source {other:?}"),
    }
}

/// Freshness as the page shows it (the JSON report's `freshness` object).
fn freshness_text(f: &Value) -> Value {
    if f.is_null() {
        return Value::Null;
    }
    let days = f["days"].as_i64().unwrap();
    let state = if f["stale"] == json!(true) {
        "stale"
    } else {
        "fresh"
    };
    let plural = if days.abs() == 1 { "" } else { "s" };
    json!(format!(
        "{state}: {days} day{plural} old, limit {}",
        f["max_age"].as_str().unwrap()
    ))
}

/// An evidence of the JSON report (`matrix --format json`) in the shape of [`resolve`].
pub fn expected(e: &Value) -> Value {
    let or_null = |v: &Value| if v.is_null() { Value::Null } else { v.clone() };
    let freshness = e.get("freshness").unwrap_or(&Value::Null);
    let stale = json!(freshness["stale"] == json!(true));
    match e["kind"].as_str() {
        Some("file") => json!({"kind": "file", "path": e["path"], "blob": e["blob"],
            "line": or_null(&e["line"]), "source": source_label(&e["source"]),
            "note": or_null(e.get("note").unwrap_or(&Value::Null)),
            "last_commit": or_null(e.get("last_commit").unwrap_or(&Value::Null)),
            "freshness": freshness_text(freshness), "stale": stale}),
        Some("commit") => json!({"kind": "commit", "commit": e["commit"], "author": e["author"],
            "date": e["date"], "subject": e["subject"],
            "freshness": freshness_text(freshness), "stale": stale}),
        other => panic!("unknown evidence kind {other:?}"),
    }
}
