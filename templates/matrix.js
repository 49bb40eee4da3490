// The evidence matrix's script, included in templates/matrix.html. It unpacks the page's
// data (the element #matrix-data: gzip, base64url; src/matrix/html_data.rs documents the
// layout) and renders an area's practices and evidence when they are needed: the area is
// opened, named in the address (#PA05), matched by the filter (the box, or ?q=), or the
// page is printed. A practice shows its first EVIDENCE_AT_ONCE evidence, then buttons
// for the rest (a browser lays out a table of thousands of rows slowly); when the filter
// matched some of its evidence, those. Diagnostics come DIAGNOSTICS_AT_ONCE at a time.
// Printing renders everything first. Repository text reaches the page only as text
// (textContent), never as markup. Once ready, <body data-ready="true">.
(function () {
  "use strict";
  var DIAGNOSTICS_AT_ONCE = 100;   // diagnostics rendered at a time
  var EVIDENCE_AT_ONCE = 10;       // evidence rows a practice shows before "Show more"
  var EVIDENCE_MORE = 100;         // evidence rows "Show more" adds
  var HEADINGS = ["Practice", "Title", "Evidence", "Where", "Blob",
    "Commit (for a file: the last that changed it)", "Author", "Date"];
  var filter = document.getElementById("filter");
  var count = document.getElementById("count");
  var areas = Array.prototype.slice.call(document.querySelectorAll("details.area"));
  var data = null;      // the unpacked data
  var practices = [];   // per area: its practices, every group's, in order
  var heads = [];       // per area: its heading's text, lower case
  var views = [];       // per area, once rendered: each practice's tbody and state, each heading's
  var hay = [];         // per area, once searched: each practice's text, lower case
  var query = "";
  var diagnosticsShown = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== null && text !== undefined) { node.textContent = String(text); }
    return node;
  }
  function add(parent, child) { parent.appendChild(child); return child; }
  function at(tuple, i) { return i < tuple.length ? tuple[i] : -1; }
  function text(i) { return i >= 0 ? data.texts[i] : null; }

  // An evidence tuple as the fields it shows (null: none).
  function evidence(t) {
    var file = at(t, 1) >= 0 ? data.files[t[1]] : null;
    var commit = at(t, 2) >= 0 ? data.commits[t[2]] : null;
    return {
      kind: (t[0] & 1) ? "commit" : "file",
      stale: (t[0] & 2) !== 0,
      path: file ? file[0] : null,
      blob: file && file[1] !== "" ? file[1] : null,
      line: at(t, 3) > 0 ? t[3] : null,
      source: text(at(t, 4)),
      note: text(at(t, 5)),
      freshness: text(at(t, 6)),
      commit: commit ? commit[0] : null,
      author: commit ? text(commit[1]) : null,
      date: commit ? commit[2] : null,
      subject: commit ? commit[3] : null
    };
  }

  // A blob or commit id: its first 12 characters, the whole id as the title.
  function id(parent, full) {
    add(parent, el("code", null, full.slice(0, 12))).title = full;
  }

  function evidenceCells(tr, e) {
    add(tr, el("td", "kind", e.kind));
    var where = add(tr, el("td", "where"));
    if (e.kind === "file") {
      add(where, el("code", null, e.path));
      if (e.line !== null) { where.appendChild(document.createTextNode(":" + e.line)); }
      add(where, el("div", "source", e.source));
      if (e.note) { add(where, el("div", "note", "Note: " + e.note)); }
    } else {
      where.textContent = e.subject;
    }
    var blob = add(tr, el("td"));
    if (e.blob) { id(blob, e.blob); }
    var commit = add(tr, el("td"));
    if (e.commit) {
      id(commit, e.commit);
      if (e.kind === "file") { add(commit, el("div", "subject", e.subject)); }
    } else if (e.kind === "file") {
      add(commit, el("span", "subject", "not committed"));
    }
    add(tr, el("td", null, e.author));
    var date = add(tr, el("td", "mono", e.date));
    if (e.freshness) { add(date, el("div", e.stale ? "stale" : "subject", e.freshness)); }
  }

  // The practice's id and title, spanning its rows.
  function practiceHead(tr, p, rows) {
    var th = add(tr, el("th"));
    add(th, el("code", null, p.id));
    var title = add(tr, el("td", null, p.title));
    if (rows > 0) { th.rowSpan = rows; title.rowSpan = rows; }
    if (!p.in_scope) { add(title, el("div", "reason", "Not applicable: " + (p.not_applicable || ""))); }
  }

  function button(parent, label, action) {
    var b = add(parent, el("button", "noprint", label));
    b.type = "button";
    b.addEventListener("click", action);
  }

  // The row under a practice's evidence that says what is not shown, with buttons.
  function moreRow(body, view, hidden, unmatched) {
    var td = add(add(body, el("tr", "more")), el("td", "more"));
    td.colSpan = 6;
    var said = [];
    if (hidden > 0) { said.push(hidden + " more evidence not shown yet"); }
    if (unmatched > 0) { said.push(unmatched + " other evidence not matching the filter"); }
    td.appendChild(document.createTextNode(said.join("; ") + " "));
    if (hidden > EVIDENCE_MORE) {
      button(td, "Show " + EVIDENCE_MORE + " more", function () {
        view.limit += EVIDENCE_MORE;
        fill(view);
      });
    }
    button(td, unmatched > 0 ? "Show every evidence" : "Show all " + hidden, function () {
      view.limit = Infinity;
      if (unmatched > 0) { view.all = true; }
      fill(view);
    });
  }

  // Fills a practice's tbody: its evidence (those the filter selects, when it selects some),
  // up to its limit, then a row saying what else there is.
  function fill(view) {
    var p = view.practice;
    var body = view.body;
    var rows = view.all ? null : view.rows;
    var n = rows ? rows.length : p.evidence.length;
    var shown = Math.min(n, view.limit);
    var hidden = n - shown;
    var unmatched = p.evidence.length - n;
    body.textContent = "";
    view.filled = rows ? rows.join() : "all";
    if (n === 0) {
      var tr = add(body, el("tr"));
      practiceHead(tr, p, 0);
      add(tr, el("td", "kind", p.in_scope ? "no evidence" : "out of scope")).colSpan = 6;
      return;
    }
    var spans = shown + (hidden > 0 || unmatched > 0 ? 1 : 0);
    for (var k = 0; k < shown; k += 1) {
      var row = add(body, el("tr"));
      if (k === 0) { practiceHead(row, p, spans); }
      evidenceCells(row, evidence(p.evidence[rows ? rows[k] : k]));
    }
    if (spans > shown) { moreRow(body, view, hidden, unmatched); }
  }

  // Renders area i's practices and evidence into its <details>, once.
  function renderArea(i) {
    if (!data || views[i]) { return; }
    var table = el("table", "practices");
    var head = add(add(table, el("thead")), el("tr"));
    HEADINGS.forEach(function (h) { add(head, el("th", null, h)); });
    var view = { practices: [], groups: [] };
    data.areas[i].groups.forEach(function (g) {
      var body = add(table, el("tbody", "group"));
      add(add(body, el("tr")), el("th", null, "Level " + g.level + " · " + g.label)).colSpan = 8;
      var first = view.practices.length;
      g.practices.forEach(function (p) {
        var state = !p.in_scope ? " na" : p.evidence.length === 0 ? " none" : "";
        view.practices.push({ practice: p, body: add(table, el("tbody", "practice" + state)),
          limit: EVIDENCE_AT_ONCE, rows: null, all: false, filled: null });
      });
      view.groups.push({ body: body, first: first, end: view.practices.length });
    });
    views[i] = view;
    show(i, matches(i));
    areas[i].appendChild(table);
  }

  // What the filter searches in a practice: what its rows show, and whole ids; its own
  // lines (head) and each evidence's.
  function practiceText(p) {
    var head = [p.id, p.title];
    if (!p.in_scope) { head.push("Not applicable: " + (p.not_applicable || "")); }
    if (p.evidence.length === 0) { head.push(p.in_scope ? "no evidence" : "out of scope"); }
    return {
      head: head.join("\n").toLowerCase(),
      rows: p.evidence.map(function (t) {
        var e = evidence(t);
        return [e.kind, e.path, e.line, e.source, e.note ? "Note: " + e.note : null, e.blob,
          e.commit, e.kind === "file" && !e.commit ? "not committed" : e.subject, e.author,
          e.date, e.freshness].join("\n").toLowerCase();
      })
    };
  }

  // Per practice of area i, what the filter shows of it: false (nothing), null (every
  // evidence), or the indices of the evidence it matched.
  function matches(i) {
    if (query === "" || heads[i].indexOf(query) >= 0) {
      return practices[i].map(function () { return null; });
    }
    if (!hay[i]) { hay[i] = practices[i].map(practiceText); }
    return hay[i].map(function (h) {
      if (h.head.indexOf(query) >= 0) { return null; }
      var rows = [];
      h.rows.forEach(function (r, k) { if (r.indexOf(query) >= 0) { rows.push(k); } });
      return rows.length > 0 ? rows : false;
    });
  }

  // Shows what the filter selects of area i's practices (a practice with more evidence than
  // is shown at once shows the evidence matched), and hides headings left empty.
  function show(i, hit) {
    var view = views[i];
    if (!view) { return; }
    view.practices.forEach(function (v, j) {
      v.body.hidden = hit[j] === false;
      if (hit[j] === false) { return; }
      // A practice whose evidence all fits shows all of it, as it always did.
      v.rows = v.practice.evidence.length > EVIDENCE_AT_ONCE ? hit[j] : null;
      if (v.filled !== (v.all || !v.rows ? "all" : v.rows.join())) { fill(v); }
    });
    view.groups.forEach(function (g) {
      g.body.hidden = hit.slice(g.first, g.end).every(function (h) { return h === false; });
    });
  }

  // Every practice of every rendered area with all its evidence (for printing).
  function showEverything() {
    views.forEach(function (view) {
      if (!view) { return; }
      view.practices.forEach(function (v) {
        if (v.limit !== Infinity) { v.limit = Infinity; fill(v); }
      });
    });
  }

  function apply() {
    query = filter.value.trim().toLowerCase();
    if (!data) { return; }
    var total = 0;
    areas.forEach(function (area, i) {
      var hit = matches(i);
      var n = hit.filter(function (h) { return h !== false; }).length;
      total += n;
      if (query !== "" && n > 0) { renderArea(i); }
      show(i, hit);
      area.hidden = n === 0;
      if (query !== "") { area.open = n > 0; }
    });
    count.textContent = query === "" ? "" : total + " practice(s) match";
  }

  function showDiagnostics(more) {
    var rows = document.getElementById("diagnostic-rows");
    if (!data || !rows) { return; }
    var all = data.diagnostics;
    var end = Math.min(all.length, diagnosticsShown + more);
    var part = document.createDocumentFragment();
    for (; diagnosticsShown < end; diagnosticsShown += 1) {
      var d = all[diagnosticsShown];
      var tr = add(part, el("tr"));
      add(tr, el("td", null, d[0]));
      add(add(tr, el("td")), el("code", null, d[1]));
      add(add(tr, el("td", "where")), el("code", null, d[2]));
      add(tr, el("td", null, d[3]));
    }
    rows.appendChild(part);
    var left = all.length - diagnosticsShown;
    document.getElementById("diagnostic-more").hidden = left === 0;
    document.getElementById("diagnostic-next").textContent =
      "Show the next " + Math.min(left, DIAGNOSTICS_AT_ONCE) + " (" + left + " not shown yet)";
    document.getElementById("diagnostic-all").textContent = "Show all " + all.length;
  }

  function setAll(open) {
    areas.forEach(function (a, i) {
      if (open) { renderArea(i); }
      a.open = open;
    });
  }

  function openTarget() {
    var name;
    try { name = decodeURIComponent(window.location.hash.slice(1)); } catch (e) { return; }
    var i = areas.indexOf(name ? document.getElementById(name) : null);
    if (i >= 0) {
      renderArea(i);
      areas[i].open = true;
    }
  }

  // The data element's text, inflated by the browser (nothing is fetched).
  function unpack() {
    if (typeof DecompressionStream !== "function") {
      return Promise.reject(new Error("this browser has no DecompressionStream"));
    }
    var packed = document.getElementById("matrix-data").textContent.trim();
    var bytes;
    if (typeof Uint8Array.fromBase64 === "function") {
      bytes = Uint8Array.fromBase64(packed, { alphabet: "base64url" });
    } else {
      var binary = atob(packed.replace(/-/g, "+").replace(/_/g, "/"));
      bytes = new Uint8Array(binary.length);
      for (var i = 0; i < binary.length; i += 1) { bytes[i] = binary.charCodeAt(i); }
    }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  }

  function start(unpacked) {
    data = unpacked;
    practices = data.areas.map(function (a) {
      return [].concat.apply([], a.groups.map(function (g) { return g.practices; }));
    });
    heads = areas.map(function (a) { return a.querySelector("summary").textContent.toLowerCase(); });
    areas.forEach(function (a, i) { if (a.open) { renderArea(i); } });
    showDiagnostics(DIAGNOSTICS_AT_ONCE);
    if (filter.value.trim() !== "") { apply(); }
    openTarget();
    document.body.dataset.ready = "true";
  }

  function failed(error) {
    var message = document.getElementById("data-error");
    message.textContent = "The practices, their evidence and the diagnostics could not be " +
      "unpacked: " + error.message + ". This page needs a browser with DecompressionStream " +
      "(Chrome 80, Firefox 113, Safari 16.4 or later); practrace matrix --format csv, xlsx, " +
      "markdown or json write the same rows.";
    message.hidden = false;
    document.body.dataset.ready = "error";
  }

  var pending = 0;
  filter.addEventListener("input", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(apply, 150);
  });
  document.getElementById("expand").addEventListener("click", function () { setAll(true); });
  document.getElementById("collapse").addEventListener("click", function () { setAll(false); });
  areas.forEach(function (a, i) {
    a.addEventListener("toggle", function () { if (a.open) { renderArea(i); } });
  });
  var next = document.getElementById("diagnostic-next");
  if (next) {
    next.addEventListener("click", function () { showDiagnostics(DIAGNOSTICS_AT_ONCE); });
    document.getElementById("diagnostic-all").addEventListener("click", function () {
      showDiagnostics(Infinity);
    });
  }
  window.addEventListener("hashchange", openTarget);
  // Print everything: every area rendered and open, every diagnostic; then restore what
  // was open on screen.
  var before = [];
  window.addEventListener("beforeprint", function () {
    before = areas.map(function (a) { return a.open; });
    setAll(true);
    showEverything();
    showDiagnostics(Infinity);
  });
  window.addEventListener("afterprint", function () {
    areas.forEach(function (a, i) { a.open = before[i]; });
  });
  // A filter can come with the address (matrix.html?q=BP.05): links to a filtered view.
  var given = new URLSearchParams(window.location.search).get("q");
  if (given) { filter.value = given; }
  Promise.resolve().then(unpack).then(start).catch(failed);
})();
