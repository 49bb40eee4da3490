#!/usr/bin/env bash
# Checks `practrace graph` with the real tools: Graphviz renders the DOT, Mermaid's own
# parser reads the Mermaid, and each must find the nodes and edges of the JSON graph.
#
#   scripts/graph-check.sh [--render] [REPO | FIXTURE] [-- FILTER...]
#
# REPO is a repository folder; FIXTURE the name of a script in fixtures/repos/ (built in a
# temporary folder); default: graph-names, whose file names and commit subjects are made
# to break DOT and Mermaid. Two graphs are checked: the overview (no filter) and an
# expanded one (FILTER, default `--path '**'`: every evidence file and the commits that
# touched them). For each:
#   - DOT: `dot -Tsvg` exits 0 with nothing on stderr, the SVG is well-formed XML with one
#     node group per JSON node and one edge group per JSON edge;
#   - Mermaid: `mermaid.parse` (the npm package `mermaid`, under node with jsdom for its
#     DOM) accepts it with no directive (`%%{init: …}%%`) taken from it, and its flowchart has the JSON graph's files, commits and practices
#     as vertices, its areas as subgraphs, and its evidences and touched edges. A graph
#     that practrace itself reported as over Mermaid's default limits is noted, not failed.
#   - with --render: mermaid-cli (`mmdc`, with the system's chromium) draws the Mermaid to
#     SVG too, and the SVG must hold no <script> or <img> element.
#
# It installs what it needs: graphviz (apt-get, when `dot` is missing; chromium too with
# --render), and mermaid + jsdom (and @mermaid-js/mermaid-cli with --render) from the npm
# registry into a temporary folder (PUPPETEER_SKIP_DOWNLOAD=1: no browser download).
# Not run by CI (.ci/run): run it by hand after changing src/graph_export/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
render=0
if [ "${1:-}" = "--render" ]; then
  render=1
  shift
fi
target=graph-names
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
  target=$1
  shift
fi
[ "${1:-}" = "--" ] && shift
filter=("$@")
[ ${#filter[@]} -eq 0 ] && filter=(--path '**')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

need_apt() { # need_apt COMMAND PACKAGE
  command -v "$1" >/dev/null && return
  echo "graph-check: installing $2 (apt-get)" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "graph-check: $1 is missing and this is not root: apt-get install $2" >&2
    exit 2
  fi
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null
}
need_apt dot graphviz
command -v node >/dev/null && command -v npm >/dev/null || {
  echo "graph-check: node and npm are needed (apt-get install nodejs npm)" >&2
  exit 2
}
packages=(mermaid jsdom)
if [ $render -eq 1 ]; then
  need_apt chromium chromium
  packages+=(@mermaid-js/mermaid-cli)
fi
echo "graph-check: npm install ${packages[*]} (in a temporary folder)" >&2
(cd "$work" && npm init -y >/dev/null &&
  PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --silent "${packages[@]}" >/dev/null)

cargo build --quiet
bin=$root/target/debug/practrace
if [ -d "$target" ]; then
  repo=$(cd "$target" && pwd)
elif [ -f "fixtures/repos/$target.sh" ]; then
  repo=$work/repo
  mkdir "$repo"
  bash "fixtures/repos/$target.sh" "$repo"
else
  echo "graph-check: $target is neither a folder nor a fixture in fixtures/repos/" >&2
  exit 2
fi

cat >"$work/mermaid-check.mjs" <<'JS'
// node mermaid-check.mjs GRAPH.mmd GRAPH.json: parses with Mermaid and compares.
import { JSDOM } from 'jsdom';
import { readFileSync } from 'node:fs';
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
const [text, json] = [readFileSync(process.argv[2], 'utf8'), JSON.parse(readFileSync(process.argv[3], 'utf8'))];
const parsed = await mermaid.parse(text);
const { db } = await mermaid.mermaidAPI.getDiagramFromText(text);
const vertices = [...db.getVertices().keys()].sort();
const subgraphs = db.getSubGraphs().map((s) => s.id).sort();
const edges = db.getEdges().length;
const want = (f) => json.nodes.filter(f).map((n) => n.id).sort();
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const problems = [];
// Mermaid takes `%%{init: …}%%` from anywhere in the text: none may come from the repository.
if (Object.keys(parsed.config ?? {}).length) problems.push(`a directive got through: ${JSON.stringify(parsed.config)}`);
if (!same(vertices, want((n) => n.kind !== 'process-area'))) problems.push('vertices differ');
if (!same(subgraphs, want((n) => n.kind === 'process-area'))) problems.push('subgraphs differ');
const drawn = json.edges.filter((e) => e.kind !== 'has').length;
if (edges !== drawn) problems.push(`${edges} edges, expected ${drawn}`);
if (problems.length) { console.log(problems.join('; ')); process.exit(1); }
console.log(`${vertices.length} vertices, ${subgraphs.length} subgraphs, ${edges} edges`);
JS

fail=0
check() { # check NAME ARGS...: one graph in the three formats
  local name=$1
  shift
  local out=$work/$name
  (cd "$repo" && "$bin" graph "$@" --format json >"$out.json") || [ $? -eq 1 ]
  (cd "$repo" && "$bin" graph "$@" --format dot >"$out.dot") || [ $? -eq 1 ]
  (cd "$repo" && "$bin" graph "$@" --format mermaid >"$out.mmd" 2>"$out.mmd.err") || [ $? -eq 1 ]
  local nodes edges
  read -r nodes edges < <(python3 -c 'import json,sys; g=json.load(open(sys.argv[1])); print(len(g["nodes"]), len(g["edges"]))' "$out.json")
  if dot -Tsvg "$out.dot" >"$out.svg" 2>"$out.dot.err" && [ ! -s "$out.dot.err" ] &&
    python3 - "$out.svg" "$nodes" "$edges" <<'PY'; then
import sys, xml.dom.minidom
svg = xml.dom.minidom.parse(sys.argv[1])
groups = [g.getAttribute("class").split() for g in svg.getElementsByTagName("g")]
n = sum("node" in c for c in groups)
e = sum("edge" in c for c in groups)
if (n, e) != (int(sys.argv[2]), int(sys.argv[3])):
    sys.exit(f"SVG has {n} nodes and {e} edges")
PY
    echo "ok   $name DOT: dot -Tsvg drew $nodes nodes and $edges edges ($(wc -c <"$out.svg") bytes of SVG)"
  else
    echo "FAIL $name DOT: $(head -c 600 "$out.dot.err")"
    fail=1
  fi
  local said
  if said=$(cd "$work" && node mermaid-check.mjs "$out.mmd" "$out.json" 2>&1); then
    echo "ok   $name Mermaid: mermaid.parse read $said"
  elif grep -q "over Mermaid's default limits" "$out.mmd.err"; then
    echo "note $name Mermaid: over Mermaid's default limits, as practrace said: $(head -c 300 "$out.mmd.err")"
  else
    echo "FAIL $name Mermaid: $(echo "$said" | head -5)"
    fail=1
  fi
  if [ $render -eq 1 ]; then
    printf '{"executablePath": "%s", "args": ["--no-sandbox", "--disable-gpu"]}\n' \
      "$(command -v chromium)" >"$work/puppeteer.json"
    if (cd "$work" && timeout 300 npx mmdc -q -p puppeteer.json -i "$out.mmd" -o "$out.mmd.svg") >"$out.mmdc.log" 2>&1 &&
      ! grep -Eq '<(script|img)[ >]' "$out.mmd.svg"; then
      echo "ok   $name Mermaid: mmdc drew $(wc -c <"$out.mmd.svg") bytes of SVG, no script or img element"
    else
      echo "FAIL $name Mermaid: mmdc: $(head -c 600 "$out.mmdc.log")"
      fail=1
    fi
  fi
}
check overview
check expanded "${filter[@]}"
if [ $fail -ne 0 ]; then
  echo "graph-check: FAILED" >&2
  exit 1
fi
echo "graph-check: all good"
