#!/usr/bin/env python3
"""Check a practrace JSON report against the truth file written by gen-repo.py.

    truth-compare.py REPO TRUTH.json REPORT.json

REPO is the generated repository, TRUTH.json the `<repo>.truth.json` beside it, and
REPORT.json the output of `practrace status --repo REPO [--rev HEAD] --format json`
(use `-` to read it from standard input).

What must match:
  * evidence: for every practice id, the set of file-evidence paths equals the truth's
    `files`, and the number of commit-evidence entries equals the truth's `commits`;
    an id absent from the truth must have no evidence at all;
  * error diagnostics: exactly one error per planted invalid tag -- for a file, one error
    whose `path` is that file; for `commit:K`, one error whose `commit` is the K-th commit
    of `git rev-list --reverse HEAD` (K=1 is the root) -- and no other errors.
Warnings and notes are counted but not checked.

Prints a summary and every mismatch (the first 20 of each kind).
Exit status: 0 when everything matches, 1 otherwise (including unreadable input).
"""
import json
import subprocess
import sys
from collections import Counter, defaultdict

SHOW = 20


def die(msg):
    print("truth-compare: " + msg, file=sys.stderr)
    sys.exit(1)


def load_json(path, what):
    try:
        if path == "-":
            return json.load(sys.stdin)
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        die("cannot read %s %s: %s" % (what, path, e))


def rev_list(repo):
    try:
        out = subprocess.run(["git", "-C", repo, "rev-list", "--reverse", "HEAD"],
                             check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        err = getattr(e, "stderr", "") or str(e)
        die("git rev-list failed in %s: %s" % (repo, err.strip()))
    return out.split()


def main(argv):
    if len(argv) == 2 and argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    if len(argv) != 4:
        print("usage: truth-compare.py REPO TRUTH.json REPORT.json  (--help for details)",
              file=sys.stderr)
        return 1
    repo, truth_path, report_path = argv[1:]
    truth = load_json(truth_path, "truth file")
    report = load_json(report_path, "report")
    if not isinstance(report, dict):
        die("report is not a JSON object")

    mismatches = defaultdict(list)  # kind -> [message]

    def bad(kind, msg):
        mismatches[kind].append(msg)

    # ---------------------------------------------------------------- evidence
    tprac = truth.get("practices", {})
    rprac = {}
    for i, p in enumerate(report.get("practices") or []):
        pid = p.get("id")
        if not isinstance(pid, str):
            bad("malformed report", "practices[%d] has no string id" % i)
            continue
        if pid in rprac:
            bad("duplicate practice", "%s appears more than once in practices[]" % pid)
            # merge so nothing is lost
            rprac[pid] = rprac[pid] + list(p.get("evidence") or [])
        else:
            rprac[pid] = list(p.get("evidence") or [])

    n_files_exp = n_files_got = n_commits_exp = n_commits_got = 0
    ids = sorted(set(tprac) | set(rprac))
    for pid in ids:
        exp = tprac.get(pid, {"files": [], "commits": 0})
        exp_files = set(exp.get("files", []))
        exp_commits = int(exp.get("commits", 0))
        ev = rprac.get(pid, [])
        got_paths = []
        got_commits = 0
        for e in ev:
            kind = e.get("kind")
            if kind == "file":
                got_paths.append(e.get("path"))
            elif kind == "commit":
                got_commits += 1
            else:
                bad("malformed report", "%s: evidence of unknown kind %r" % (pid, kind))
        got_files = set(got_paths)
        n_files_exp += len(exp_files)
        n_files_got += len(got_files)
        n_commits_exp += exp_commits
        n_commits_got += got_commits

        if pid not in tprac:
            if ev:
                bad("evidence for id not in truth",
                    "%s: %d file(s), %d commit(s) of evidence, expected none%s"
                    % (pid, len(got_files), got_commits,
                       (" (e.g. %s)" % sorted(map(str, got_files))[0]) if got_files else ""))
            continue
        if pid not in rprac and (exp_files or exp_commits):
            bad("practice missing from report",
                "%s: expected %d file(s), %d commit(s)" % (pid, len(exp_files), exp_commits))
            continue
        for path in sorted(exp_files - got_files):
            bad("file evidence missing", "%s: %s" % (pid, path))
        for path in sorted(got_files - exp_files, key=str):
            bad("file evidence unexpected", "%s: %s" % (pid, path))
        dups = [p for p, n in Counter(got_paths).items() if n > 1]
        for path in sorted(dups, key=str):
            # the set still matches; a duplicate is reported only as a note below
            mismatches.setdefault("_dup_file_notes", []).append("%s: %s" % (pid, path))
        if got_commits != exp_commits:
            bad("commit evidence count",
                "%s: %d commit(s) in report, %d in truth" % (pid, got_commits, exp_commits))

    # ---------------------------------------------------------------- errors
    revs = rev_list(repo)
    if truth.get("commits") is not None and len(revs) != truth["commits"]:
        bad("repository", "HEAD has %d commits, truth says %d" % (len(revs), truth["commits"]))

    exp_file_err = {}    # path -> tag
    exp_commit_err = {}  # commit id -> (where, tag)
    for pi in truth.get("planted_invalid", []):
        where, tag = pi.get("where", ""), pi.get("tag")
        if where.startswith("commit:"):
            k = int(where.split(":", 1)[1])
            if not 1 <= k <= len(revs):
                bad("repository", "%s is beyond the %d commits of HEAD" % (where, len(revs)))
                continue
            exp_commit_err[revs[k - 1]] = (where, tag)
        else:
            exp_file_err[where] = tag

    diags = report.get("diagnostics") or []
    sev = Counter(d.get("severity") for d in diags)
    errors = [d for d in diags if d.get("severity") == "error"]
    hit_file = defaultdict(list)
    hit_commit = defaultdict(list)
    for d in errors:
        path, commit = d.get("path"), d.get("commit")
        if path is not None and path in exp_file_err:
            hit_file[path].append(d)
        elif commit is not None and commit in exp_commit_err:
            hit_commit[commit].append(d)
        else:
            bad("error unexpected", "[%s] path=%s line=%s commit=%s: %s"
                % (d.get("code"), path, d.get("line"), commit, d.get("message")))
    for path, tag in sorted(exp_file_err.items()):
        n = len(hit_file.get(path, []))
        if n == 0:
            bad("error missing", "%s (planted tag %s)" % (path, tag))
        elif n > 1:
            bad("error duplicated", "%s: %d errors, expected 1 (planted tag %s)" % (path, n, tag))
    for commit, (where, tag) in sorted(exp_commit_err.items(), key=lambda kv: int(kv[1][0][7:])):
        n = len(hit_commit.get(commit, []))
        if n == 0:
            bad("error missing", "%s = %s (planted tag %s)" % (where, commit, tag))
        elif n > 1:
            bad("error duplicated", "%s = %s: %d errors, expected 1 (planted tag %s)"
                % (where, commit, n, tag))
    n_err_exp = len(exp_file_err) + len(exp_commit_err)

    # ---------------------------------------------------------------- summary
    src = report.get("source") or {}
    dup_notes = mismatches.pop("_dup_file_notes", [])
    print("truth-compare: %s" % report_path)
    print("  source:      rev=%s commit=%s worktree=%s commits_scanned=%s"
          % (src.get("rev"), src.get("commit"), src.get("worktree"), src.get("commits_scanned")))
    print("  practices:   %d checked (%d in truth, %d in report)" % (len(ids), len(tprac), len(rprac)))
    print("  files:       %d expected, %d found (distinct path per practice)" % (n_files_exp, n_files_got))
    print("  commits:     %d expected, %d found (commit evidence entries)" % (n_commits_exp, n_commits_got))
    print("  errors:      %d expected (%d files, %d commits), %d found"
          % (n_err_exp, len(exp_file_err), len(exp_commit_err), len(errors)))
    print("  diagnostics: %s" % (", ".join("%s=%d" % (k, v) for k, v in sorted(sev.items(), key=str))
                                 or "none"))
    if dup_notes:
        print("  note: %d file path(s) listed more than once for a practice, e.g. %s"
              % (len(dup_notes), dup_notes[0]))
    total = sum(len(v) for v in mismatches.values())
    for kind in sorted(mismatches):
        msgs = mismatches[kind]
        print("MISMATCH %s: %d" % (kind, len(msgs)))
        for m in msgs[:SHOW]:
            print("    " + m)
        if len(msgs) > SHOW:
            print("    ... %d more" % (len(msgs) - SHOW))
    print("RESULT: %s" % ("OK, all match" if total == 0 else "FAIL, %d mismatch(es)" % total))
    return 0 if total == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
