#!/usr/bin/env python3
"""Opens a practrace evidence-matrix workbook with openpyxl (a real XLSX reader) and checks
its shape: the four sheets, frozen header rows, autofilters, no formula anywhere, and that
cells a spreadsheet would read as formulas are neutralised with a leading quote.

Usage: xlsx-check.py FILE.xlsx
Prints one JSON object with what it read (the Rust test asserts on it); exits 1 on a
failed check, 2 when openpyxl is missing.
"""
import json
import sys

try:
    import openpyxl
except ImportError:
    print("openpyxl is not installed", file=sys.stderr)
    sys.exit(2)

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def main(path):
    book = openpyxl.load_workbook(path)
    failures = []
    sheets = book.sheetnames
    if sheets != ["Summary", "Matrix", "Gaps", "Diagnostics"]:
        failures.append(f"sheets are {sheets}")
    out = {"sheets": sheets, "freeze": {}, "autofilter": {}, "headers": {}}
    formulas = []
    risky = []
    for ws in book.worksheets:
        out["freeze"][ws.title] = ws.freeze_panes
        out["autofilter"][ws.title] = ws.auto_filter.ref
        out["headers"][ws.title] = [c.value for c in ws[1]]
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    formulas.append(f"{ws.title}!{c.coordinate}")
                if isinstance(c.value, str) and c.value.startswith(FORMULA_START):
                    risky.append(f"{ws.title}!{c.coordinate}: {c.value!r}")
        if ws.freeze_panes != "A2":
            failures.append(f"{ws.title}: freeze panes {ws.freeze_panes}")
        if not ws.auto_filter.ref:
            failures.append(f"{ws.title}: no autofilter")
    if formulas:
        failures.append(f"formulas: {formulas}")
    if risky:
        failures.append(f"cells a spreadsheet would read as formulas: {risky}")
    matrix = book["Matrix"]
    header = out["headers"]["Matrix"]
    col = {name: i for i, name in enumerate(header)}
    rows = [[c.value for c in r] for r in matrix.iter_rows(min_row=2)]
    out["matrix_rows"] = len(rows)
    out["paths"] = sorted({r[col["path"]] for r in rows if r[col["path"]]})
    out["subjects"] = sorted({r[col["subject"]] for r in rows if r[col["subject"]]})
    out["authors"] = sorted({r[col["author"]] for r in rows if r[col["author"]]})
    out["lines"] = sorted({r[col["line"]] for r in rows if r[col["line"]] is not None})
    out["sources"] = sorted({r[col["source"]] for r in rows if r[col["source"]]})
    out["notes"] = sorted({r[col["note"]] for r in rows if r[col["note"]]})
    summary = book["Summary"]
    out["summary_a1"] = summary["A1"].value
    out["summary_fill"] = {}
    # The heat map rows (area id, title, achieved, target, then one cell per level),
    # by area id.
    out["summary_rows"] = {}
    for r in summary.iter_rows(min_row=2, max_row=summary.max_row):
        if isinstance(r[0].value, str) and r[0].value.startswith("PA"):
            out["summary_rows"][r[0].value] = [c.value for c in r]
        if r[0].value == "PA05":
            out["summary_pa05"] = [c.value for c in r]
            out["summary_fill"] = r[4].fill.fgColor.rgb
    out["created"] = book.properties.created.isoformat() if book.properties.created else None
    out["widths"] = {
        k: round(v.width, 1) for k, v in matrix.column_dimensions.items() if v.width
    }
    out["failures"] = failures
    print(json.dumps(out, indent=1, sort_keys=True))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
