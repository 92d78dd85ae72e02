// newsdup HTML report. Vanilla JS, no network. Renders the data embedded in
// #report-data (and, lazily, the texts in #report-texts) into #app.
// Routes: #stories (default), #pairs, #pair=N (N = 1-based rank), and
// #pair=N&hl=sentences to highlight the aligned sentences instead of the passages,
// #pairs&story=S for the pairs touching story S.
"use strict";
(function () {
  var DATA = JSON.parse(document.getElementById("report-data").textContent);
  var TEXTS = null; // parsed on first use: only the pair view needs the texts
  var docs = DATA.documents, pairs = DATA.pairs, clusters = DATA.clusters;
  var LABELS = ["exact", "near-copy", "partial-copy", "rewrite"];
  var PAGE = 100;
  var app = document.getElementById("app");

  function texts() {
    if (TEXTS === null) TEXTS = JSON.parse(document.getElementById("report-texts").textContent);
    return TEXTS;
  }
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function fmt(x) { return typeof x === "number" ? x.toFixed(3) : ""; }
  function date(s) { return s == null ? "" : new Date(s * 1000).toISOString().slice(0, 10); }
  function badge(label) { return '<span class="badge ' + esc(label) + '">' + esc(label) + "</span>"; }
  function docLine(d) {
    var meta = [d.source, date(d.published)].filter(Boolean).join(" · ");
    return '<code class="doc-id">' + esc(d.id) + "</code> " + (d.title != null ? '<span class="doc-title">' +
      esc(d.title) + "</span>" : '<span class="doc-lead">' + esc(d.lead || "(empty)") + "</span>") +
      (meta ? ' <span class="meta">' + esc(meta) + "</span>" : "");
  }

  // Byte offsets (UTF-8, as in the JSON report) to positions in a JS string
  // (UTF-16 code units). Walks the text once for all the offsets asked for;
  // an offset inside a character maps to the next character boundary.
  function byteToUnit(text, offsets) {
    var want = offsets.slice().sort(function (x, y) { return x - y; });
    var map = new Map(), j = 0, b = 0, i = 0, n = text.length;
    while (j < want.length) {
      while (j < want.length && want[j] <= b) map.set(want[j++], i);
      if (i >= n) break;
      var cp = text.codePointAt(i);
      b += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      i += cp > 0xffff ? 2 : 1;
    }
    while (j < want.length) map.set(want[j++], n);
    return map;
  }

  // ---------- layout ----------
  var s = DATA.stats, byLabel = s.pairs_by_label;
  app.innerHTML =
    '<header class="top"><div class="brand"><span class="logo">nd</span><h1>newsdup report</h1>' +
    '<span class="tool">' + esc(DATA.tool) + " · fingerprint " + esc(DATA.fingerprint) + "</span></div>" +
    '<nav><a href="#stories" data-nav="stories">Stories</a><a href="#pairs" data-nav="pairs">Pairs</a>' +
    '<a href="#pair=1" data-nav="pair" id="nav-pair">Pair view</a></nav></header>' +
    '<section id="summary" class="summary">' +
    card(s.documents, "articles", s.skipped ? s.skipped + " skipped" : "none skipped") +
    card(s.stories, "stories", s.multi_article_stories + " with more than one article") +
    card(pairs.length, "pairs", LABELS.map(function (l, i) { return byLabel[i] + " " + l; }).join(" · ")) +
    card(s.bytes < 1048576 ? (s.bytes / 1024).toFixed(1) : (s.bytes / 1048576).toFixed(1),
      s.bytes < 1048576 ? "KiB of text" : "MiB of text", s.tokens.toLocaleString("en") + " tokens") +
    "</section>" + problems() +
    '<section id="view-stories" class="view" hidden></section>' +
    '<section id="view-pairs" class="view" hidden></section>' +
    '<section id="view-pair" class="view" hidden></section>';

  function card(n, what, sub) {
    return '<div class="card"><div class="num">' + esc(typeof n === "number" ? n.toLocaleString("en") : n) +
      '</div><div class="what">' + esc(what) + '</div><div class="sub">' + esc(sub) + "</div></div>";
  }
  function problems() {
    var all = (DATA.skipped || []).map(function (p) { return ["skipped", p]; })
      .concat((DATA.warnings || []).map(function (p) { return ["warning", p]; }));
    if (!all.length) return "";
    return '<details class="problems"><summary>' + (DATA.skipped || []).length + " skipped records, " +
      (DATA.warnings || []).length + " warnings</summary><ul>" + all.map(function (x) {
        return "<li><b>" + x[0] + "</b> <code>" + esc(x[1].origin) + "</code> " + esc(x[1].reason) + "</li>";
      }).join("") + "</ul></details>";
  }

  // ---------- stories ----------
  // Pairs touching each story, per label (a pair across two stories counts in both).
  var storyPairs = clusters.map(function () { return [0, 0, 0, 0]; });
  pairs.forEach(function (p) {
    var l = LABELS.indexOf(p.label), ca = docs[p.a].cluster, cb = docs[p.b].cluster;
    if (l < 0) return;
    storyPairs[ca][l]++;
    if (cb !== ca) storyPairs[cb][l]++;
  });
  function storyLabels(ci) {
    var c = storyPairs[ci], total = c[0] + c[1] + c[2] + c[3];
    if (!total) return "";
    return '<a class="story-pairs" href="#pairs&story=' + ci + '" data-story-pairs="' + ci + '">' + LABELS.map(function (l, i) {
      return c[i] ? '<span class="mini ' + l + '" title="' + l + '">' + c[i] + "</span>" : "";
    }).join("") + " " + total + (total === 1 ? " pair" : " pairs") + " →</a>";
  }
  function renderStories() {
    var view = document.getElementById("view-stories");
    var order = clusters.map(function (_, i) { return i; });
    order.sort(function (x, y) { return clusters[y].members.length - clusters[x].members.length || x - y; });
    var out = ['<div class="toolbar"><h2>Stories</h2><span class="hint">largest first; ★ marks the article ' +
      "<code>dedup</code> keeps; click an article to list its pairs</span>" +
      '<label class="check"><input type="checkbox" id="hide-singles"> hide single-article stories</label></div>' +
      '<div id="story-list">'];
    for (var k = 0; k < order.length; k++) {
      var ci = order[k], c = clusters[ci], n = c.members.length;
      out.push('<div class="story' + (n === 1 ? " single" : "") + '" data-story="' + ci + '">' +
        '<div class="story-head"><span class="story-n">story ' + ci + '</span><span class="count">' + n +
        (n === 1 ? " article" : " articles") + "</span>" + storyLabels(ci) + '</div><ul class="members">');
      for (var m = 0; m < n; m++) {
        var di = c.members[m], rep = di === c.representative;
        out.push('<li class="member' + (rep ? " rep" : "") + '" data-doc="' + di + '"><span class="star">' +
          (rep ? "★" : "") + "</span>" + docLine(docs[di]) + "</li>");
      }
      out.push("</ul></div>");
    }
    out.push("</div>");
    view.innerHTML = out.join("");
    document.getElementById("hide-singles").addEventListener("change", function (e) {
      document.getElementById("story-list").classList.toggle("hide-singles", e.target.checked);
    });
    view.addEventListener("click", function (e) {
      if (e.target.closest("a[data-story-pairs]")) { state.query = ""; return; } // the link sets the hash
      var li = e.target.closest("li.member");
      if (!li) return;
      state.query = docs[+li.getAttribute("data-doc")].id;
      state.page = 0;
      var q = document.getElementById("pair-query");
      if (q) q.value = state.query;
      location.hash = "#pairs";
    });
  }

  // ---------- pair table ----------
  var state = { labels: { exact: true, "near-copy": true, "partial-copy": true, rewrite: true },
    minScore: 0, query: "", story: -1, sort: "rank", desc: false, page: 0 };
  var COLS = [
    ["rank", "#"], ["label", "label"], ["score", "score"], ["a", "article A"], ["b", "article B"],
    ["jaccard", "jaccard"], ["containment", "contain."], ["story", "story"], ["passages", "passages"]];
  var keyOf = {
    rank: function (i) { return i; },
    label: function (i) { return LABELS.indexOf(pairs[i].label); },
    score: function (i) { return pairs[i].score; },
    a: function (i) { return docs[pairs[i].a].id; },
    b: function (i) { return docs[pairs[i].b].id; },
    jaccard: function (i) { return pairs[i].scores.jaccard; },
    containment: function (i) { return pairs[i].scores.containment; },
    story: function (i) { return pairs[i].scores.story; },
    passages: function (i) { return pairs[i].passages.length; }
  };
  var searchKey = null;
  function matches(i, q) {
    if (!q) return true;
    if (searchKey === null) {
      searchKey = docs.map(function (d) { return (d.id + "\u0000" + (d.title || d.lead || "")).toLowerCase(); });
    }
    return searchKey[pairs[i].a].indexOf(q) >= 0 || searchKey[pairs[i].b].indexOf(q) >= 0;
  }
  var filtered = null;
  function refilter() {
    var q = state.query.trim().toLowerCase(), out = [];
    for (var i = 0; i < pairs.length; i++) {
      var p = pairs[i];
      if (state.labels[p.label] && p.score >= state.minScore && matches(i, q) &&
        (state.story < 0 || docs[p.a].cluster === state.story || docs[p.b].cluster === state.story)) out.push(i);
    }
    var key = keyOf[state.sort], sign = state.desc ? -1 : 1;
    if (state.sort !== "rank") {
      var keys = new Map();
      out.forEach(function (i) { keys.set(i, key(i)); });
      out.sort(function (x, y) {
        var kx = keys.get(x), ky = keys.get(y);
        return (kx < ky ? -sign : kx > ky ? sign : 0) || x - y;
      });
    } else if (state.desc) out.reverse();
    filtered = out;
  }
  function renderPairsShell() {
    var view = document.getElementById("view-pairs");
    view.innerHTML = '<div class="toolbar"><h2>Pairs</h2><div class="filters">' +
      LABELS.map(function (l, i) {
        return '<button type="button" class="badge toggle ' + l + ' on" data-label="' + l + '">' + l +
          ' <span class="n">' + byLabel[i] + "</span></button>";
      }).join("") +
      '<label>min score <input type="range" id="min-score" min="0" max="1" step="0.01" value="0">' +
      '<output id="min-score-out">0.00</output></label>' +
      '<input type="search" id="pair-query" placeholder="article id or title" size="24">' +
      '<button type="button" id="story-filter" class="story-filter" hidden title="show all stories"></button>' +
      "</div></div>" +
      '<table class="pairs"><thead><tr>' + COLS.map(function (c) {
        return '<th data-sort="' + c[0] + '" class="col-' + c[0] + '">' + c[1] + '<span class="arrow"></span></th>';
      }).join("") + '</tr></thead><tbody id="pair-rows"></tbody></table>' +
      '<div class="pager"><button type="button" data-page="first">«</button><button type="button" data-page="prev">‹</button>' +
      '<span id="pager-info"></span><button type="button" data-page="next">›</button>' +
      '<button type="button" data-page="last">»</button></div>';
    view.querySelectorAll("button[data-label]").forEach(function (b) {
      b.addEventListener("click", function () {
        var l = b.getAttribute("data-label");
        state.labels[l] = !state.labels[l];
        b.classList.toggle("on", state.labels[l]);
        state.page = 0; refilter(); renderRows();
      });
    });
    var range = document.getElementById("min-score");
    range.addEventListener("input", function () {
      state.minScore = +range.value;
      document.getElementById("min-score-out").textContent = state.minScore.toFixed(2);
      state.page = 0; refilter(); renderRows();
    });
    var q = document.getElementById("pair-query"), timer = 0;
    q.value = state.query;
    q.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { state.query = q.value; state.page = 0; refilter(); renderRows(); }, 150);
    });
    document.getElementById("story-filter").addEventListener("click", function () {
      location.hash = "#pairs";
    });
    view.querySelector("thead").addEventListener("click", function (e) {
      var th = e.target.closest("th");
      if (!th) return;
      var k = th.getAttribute("data-sort");
      if (state.sort === k) state.desc = !state.desc;
      else { state.sort = k; state.desc = ["score", "jaccard", "containment", "story", "passages"].indexOf(k) >= 0; }
      state.page = 0; refilter(); renderRows();
    });
    view.querySelector(".pager").addEventListener("click", function (e) {
      var b = e.target.closest("button");
      if (!b) return;
      var last = Math.max(0, Math.ceil(filtered.length / PAGE) - 1), w = b.getAttribute("data-page");
      state.page = w === "first" ? 0 : w === "last" ? last : w === "prev" ? Math.max(0, state.page - 1) :
        Math.min(last, state.page + 1);
      renderRows();
    });
    document.getElementById("pair-rows").addEventListener("click", function (e) {
      var tr = e.target.closest("tr[data-pair]");
      if (tr) location.hash = "#pair=" + tr.getAttribute("data-pair");
    });
  }
  function renderRows() {
    var start = state.page * PAGE, rows = filtered.slice(start, start + PAGE), out = [];
    rows.forEach(function (i) {
      var p = pairs[i], a = docs[p.a], b = docs[p.b];
      out.push('<tr class="pair-row" data-pair="' + (i + 1) + '"><td class="rank">' + (i + 1) + "</td><td>" +
        badge(p.label) + '</td><td class="num score">' + fmt(p.score) + "</td>" +
        '<td class="doc"><code>' + esc(a.id) + "</code><span>" + esc(a.title || a.lead || "") + "</span></td>" +
        '<td class="doc"><code>' + esc(b.id) + "</code><span>" + esc(b.title || b.lead || "") + "</span></td>" +
        '<td class="num">' + fmt(p.scores.jaccard) + '</td><td class="num">' + fmt(p.scores.containment) +
        '</td><td class="num">' + fmt(p.scores.story) + '</td><td class="num">' + p.passages.length + "</td></tr>");
    });
    if (!rows.length) out.push('<tr><td colspan="9" class="empty">no pair matches these filters</td></tr>');
    document.getElementById("pair-rows").innerHTML = out.join("");
    var sf = document.getElementById("story-filter");
    sf.hidden = state.story < 0;
    sf.textContent = "story " + state.story + " ×";
    var pages = Math.max(1, Math.ceil(filtered.length / PAGE));
    document.getElementById("pager-info").textContent = filtered.length ?
      "rows " + (start + 1) + "–" + (start + rows.length) + " of " + filtered.length.toLocaleString("en") +
      " · page " + (state.page + 1) + " of " + pages : "0 rows";
    document.querySelectorAll("#view-pairs th").forEach(function (th) {
      var on = th.getAttribute("data-sort") === state.sort;
      th.classList.toggle("sorted", on);
      th.querySelector(".arrow").textContent = on ? (state.desc ? " ▼" : " ▲") : "";
    });
  }

  // ---------- pair view ----------
  var NCOLORS = 8;
  var pairMode = "passages";
  function rangesOf(p, mode) {
    var list = mode === "sentences" ? (p.sentences || []) : p.passages;
    return list.map(function (r, k) {
      var tip = mode === "sentences"
        ? "sentence pair " + (k + 1) + " · score " + fmt(r.score) +
          (r.shared_terms && r.shared_terms.length ? " · " + r.shared_terms.join(", ") : "")
        : "passage " + (k + 1) + (r.tokens ? " · " + r.tokens + " tokens" : "");
      return { k: k, a: [r.a_start, r.a_end], b: [r.b_start, r.b_end], tip: tip };
    });
  }
  // Fills `box` with `text`, wrapping each range in a <mark>; `pos` maps the
  // ranges' byte offsets to string positions. Ranges are drawn in text order;
  // an overlap is clipped from the later one. Edited words inside a range
  // (`r.edits[side]`, string positions) are wrapped in <span class="ed">.
  function fillText(box, text, ranges, side, other, pos) {
    box.textContent = "";
    var spans = ranges.map(function (r) {
      return { k: r.k, s: pos.get(r[side][0]), e: pos.get(r[side][1]), tip: r.tip, edits: r.edits ? r.edits[side] : [] };
    }).sort(function (x, y) { return x.s - y.s || x.k - y.k; });
    var at = 0, frag = document.createDocumentFragment();
    spans.forEach(function (sp) {
      var s0 = Math.max(sp.s, at);
      if (sp.e <= s0) return;
      if (s0 > at) frag.appendChild(document.createTextNode(text.slice(at, s0)));
      var m = el("mark", "hl c" + (sp.k % NCOLORS));
      var in_at = s0;
      sp.edits.forEach(function (ed) {
        var es = Math.max(ed[0], in_at), ee = Math.min(ed[1], sp.e);
        if (ee <= es) return;
        if (es > in_at) m.appendChild(document.createTextNode(text.slice(in_at, es)));
        var d = el("span", "ed", text.slice(es, ee));
        d.title = "differs from " + other;
        m.appendChild(d);
        in_at = ee;
      });
      if (in_at < sp.e) m.appendChild(document.createTextNode(text.slice(in_at, sp.e)));
      m.id = side + "-m" + sp.k;
      m.setAttribute("data-k", sp.k);
      m.setAttribute("data-side", side);
      m.title = sp.tip + " · click to show it in " + other;
      frag.appendChild(m);
      at = sp.e;
    });
    if (at < text.length) frag.appendChild(document.createTextNode(text.slice(at)));
    box.appendChild(frag);
  }
  // Words of `text` between string positions s and e, folded as the
  // normaliser folds them (case, curly quotes), with their positions.
  function wordsOf(text, s, e) {
    var re = /\S+/g, m, out = [], t = text.slice(s, e);
    while ((m = re.exec(t))) {
      out.push({ s: s + m.index, e: s + m.index + m[0].length,
        w: m[0].toLowerCase().replace(/[\u2018\u2019]/g, "'").replace(/[\u201c\u201d]/g, '"') });
    }
    return out;
  }
  // The words that differ inside one shared passage. Passages are chained
  // runs of equal tokens with short gaps, so a greedy walk that resyncs on
  // the nearest two equal words (at most 12 words ahead) finds the edits.
  function editsOf(x, y) {
    var i = 0, j = 0, cx = [], cy = [];
    while (i < x.length && j < y.length) {
      if (x[i].w === y[j].w) { i++; j++; continue; }
      var to = null;
      for (var d = 1; d <= 12 && !to; d++) {
        for (var di = 0; di <= d; di++) {
          var a = i + di, b = j + d - di;
          if (a < x.length && b < y.length && x[a].w === y[b].w &&
            (a + 1 >= x.length || b + 1 >= y.length || x[a + 1].w === y[b + 1].w)) { to = [a, b]; break; }
        }
      }
      if (!to) to = [x.length, y.length];
      for (; i < to[0]; i++) cx.push([x[i].s, x[i].e]);
      for (; j < to[1]; j++) cy.push([y[j].s, y[j].e]);
    }
    for (; i < x.length; i++) cx.push([x[i].s, x[i].e]);
    for (; j < y.length; j++) cy.push([y[j].s, y[j].e]);
    return { a: cx, b: cy };
  }
  function scrollToMark(side, k, flash) {
    var m = document.getElementById(side + "-m" + k);
    if (!m) return;
    var box = m.closest(".text");
    box.scrollTop += m.getBoundingClientRect().top - box.getBoundingClientRect().top - box.clientHeight / 4;
    if (flash) {
      m.classList.remove("flash");
      void m.offsetWidth;
      m.classList.add("flash");
    }
  }
  function renderPair(rank) {
    var view = document.getElementById("view-pair");
    var i = rank - 1, p = pairs[i];
    document.getElementById("nav-pair").href = "#pair=" + rank;
    if (!p) {
      view.innerHTML = '<p class="empty">There is no pair ' + esc(rank) + " (the report has " + pairs.length +
        ' pairs). <a href="#pairs">Back to the pairs</a></p>';
      return;
    }
    var a = docs[p.a], b = docs[p.b], T = texts();
    var ta = T[p.a] || "", tb = T[p.b] || "";
    var sentences = p.sentences || [];
    if (pairMode === "sentences" && !sentences.length) pairMode = "passages";
    var covA = 0;
    p.passages.forEach(function (r) { covA += r.a_end - r.a_start; });
    var sc = p.scores;
    function metric(name, v) { return '<span class="metric"><span>' + name + "</span><b>" + v + "</b></span>"; }
    view.innerHTML =
      '<div class="pair-head"><div class="pair-title">' +
      '<a class="back" href="#pairs">← all pairs</a>' +
      '<a class="step" href="#pair=' + Math.max(1, rank - 1) + '" title="previous pair (←)">‹</a>' +
      '<span class="pair-n">pair ' + rank + " of " + pairs.length + "</span>" +
      '<a class="step" href="#pair=' + Math.min(pairs.length, rank + 1) + '" title="next pair (→)">›</a>' +
      badge(p.label) + '<span class="big-score">' + fmt(p.score) + "</span>" +
      (a.cluster === b.cluster ? '<span class="same-story">same story (' + a.cluster + ")</span>" :
        '<span class="same-story other">stories ' + a.cluster + " and " + b.cluster + "</span>") +
      '</div><div class="metrics">' +
      metric("jaccard", fmt(sc.jaccard)) + metric("containment", fmt(sc.containment)) +
      metric("shared shingles", sc.shared_shingles) + metric("story", fmt(sc.story)) +
      metric("residual story", fmt(sc.residual_story)) + metric("passages", p.passages.length) +
      metric("of A shared", (a.bytes ? Math.round(100 * covA / a.bytes) : 0) + "%") +
      (sentences.length ? metric("aligned sentences", sentences.length) : "") +
      '</div><div class="modes" id="modes"><span>highlight</span>' +
      '<button type="button" data-mode="passages" class="' + (pairMode === "passages" ? "on" : "") +
      '">shared passages (' + p.passages.length + ")</button>" +
      (sentences.length ? '<button type="button" data-mode="sentences" class="' +
        (pairMode === "sentences" ? "on" : "") + '">aligned sentences (' + sentences.length + ")</button>" : "") +
      '<span class="hint">click a highlight to scroll the other side to it; ' +
      '<span class="ed">marked</span> words differ inside a passage</span></div></div>' +
      '<div class="sides"><div class="side" id="side-a"><div class="doc-head"><span class="side-tag">A</span>' +
      docLine(a) + '<div class="origin">' + esc(a.origin) + " · story " + a.cluster + " · " +
      a.tokens.toLocaleString("en") + ' tokens</div></div><div class="text" id="text-a"></div></div>' +
      '<div class="side" id="side-b"><div class="doc-head"><span class="side-tag">B</span>' +
      docLine(b) + '<div class="origin">' + esc(b.origin) + " · story " + b.cluster + " · " +
      b.tokens.toLocaleString("en") + ' tokens</div></div><div class="text" id="text-b"></div></div></div>' +
      '<div id="pair-lists"></div>';
    drawTexts(p, ta, tb);
    drawLists(p, ta, tb);
    view.querySelector("#modes").addEventListener("click", function (e) {
      var btn = e.target.closest("button[data-mode]");
      if (!btn) return;
      pairMode = btn.getAttribute("data-mode");
      view.querySelectorAll("#modes button").forEach(function (x) { x.classList.toggle("on", x === btn); });
      drawTexts(p, ta, tb);
    });
  }
  // The two text columns fill the window below their headers, so both
  // sides scroll on their own and stay side by side.
  function fitTexts() {
    var boxes = document.querySelectorAll("#view-pair:not([hidden]) .text");
    for (var i = 0; i < boxes.length; i++) {
      var top = boxes[i].getBoundingClientRect().top + window.scrollY;
      boxes[i].style.height = Math.max(320, window.innerHeight - top - 16) + "px";
    }
  }
  window.addEventListener("resize", fitTexts);
  function drawTexts(p, ta, tb) {
    fitTexts();
    var ranges = rangesOf(p, pairMode), offA = [], offB = [];
    ranges.forEach(function (r) { offA.push(r.a[0], r.a[1]); offB.push(r.b[0], r.b[1]); });
    var posA = byteToUnit(ta, offA), posB = byteToUnit(tb, offB);
    if (pairMode === "passages") {
      ranges.forEach(function (r) {
        r.edits = editsOf(wordsOf(ta, posA.get(r.a[0]), posA.get(r.a[1])),
          wordsOf(tb, posB.get(r.b[0]), posB.get(r.b[1])));
      });
    }
    fillText(document.getElementById("text-a"), ta, ranges, "a", "B", posA);
    fillText(document.getElementById("text-b"), tb, ranges, "b", "A", posB);
    document.getElementById("view-pair").setAttribute("data-mode", pairMode);
    if (ranges.length) {
      // Bring the first highlight into view on both sides when it is below the fold.
      [["a", "text-a"], ["b", "text-b"]].forEach(function (x) {
        var m = document.getElementById(x[0] + "-m" + ranges[0].k), box = document.getElementById(x[1]);
        if (m && m.offsetTop - box.offsetTop > box.clientHeight * 0.7) scrollToMark(x[0], ranges[0].k, false);
      });
    }
  }
  function snippet(text, pos, r, side) {
    var s = pos.get(r[side + "_start"]), e = pos.get(r[side + "_end"]);
    var t = text.slice(s, e);
    return t.length > 220 ? t.slice(0, 220) + "…" : t;
  }
  function drawLists(p, ta, tb) {
    var box = document.getElementById("pair-lists");
    var out = [];
    function positions(list, side, text) {
      var offs = [];
      list.forEach(function (r) { offs.push(r[side + "_start"], r[side + "_end"]); });
      return byteToUnit(text, offs);
    }
    if (p.passages.length) {
      var pa = positions(p.passages, "a", ta);
      out.push('<h3>Shared passages</h3><ol class="passages">');
      p.passages.forEach(function (r, k) {
        out.push('<li data-k="' + k + '" data-mode="passages"><span class="chip c' + (k % NCOLORS) + '">' + (k + 1) +
          '</span><span class="ptok">' + r.tokens + " tokens</span> " + esc(snippet(ta, pa, r, "a")) + "</li>");
      });
      out.push("</ol>");
    }
    var sentences = p.sentences || [];
    if (sentences.length) {
      var sa = positions(sentences, "a", ta), sb = positions(sentences, "b", tb);
      out.push('<h3>Aligned sentences</h3><table class="sentences"><thead><tr><th></th><th>A</th><th>score</th>' +
        "<th>B</th></tr></thead><tbody>");
      sentences.forEach(function (r, k) {
        out.push('<tr data-k="' + k + '" data-mode="sentences"><td><span class="chip c' + (k % NCOLORS) + '">' +
          (k + 1) + "</span></td><td>" + esc(snippet(ta, sa, r, "a")) + '</td><td class="num">' + fmt(r.score) +
          '<div class="terms">' + (r.shared_terms || []).map(function (t) {
            return '<span class="term">' + esc(t) + "</span>";
          }).join("") + "</div></td><td>" + esc(snippet(tb, sb, r, "b")) + "</td></tr>");
      });
      out.push("</tbody></table>");
    }
    box.innerHTML = out.join("");
    box.addEventListener("click", function (e) {
      var row = e.target.closest("[data-k][data-mode]");
      if (!row) return;
      var mode = row.getAttribute("data-mode"), k = +row.getAttribute("data-k");
      if (mode !== pairMode) {
        var btn = document.querySelector('#modes button[data-mode="' + mode + '"]');
        if (btn) btn.click();
      }
      scrollToMark("a", k, true);
      scrollToMark("b", k, true);
      document.querySelector(".sides").scrollIntoView({ block: "start" });
    });
  }
  document.addEventListener("click", function (e) {
    var m = e.target.closest && e.target.closest("mark.hl");
    if (!m) return;
    var side = m.getAttribute("data-side"), k = m.getAttribute("data-k");
    scrollToMark(side === "a" ? "b" : "a", k, true);
    m.classList.remove("flash");
    void m.offsetWidth;
    m.classList.add("flash");
  });
  document.addEventListener("keydown", function (e) {
    var r = /^#pair=(\d+)/.exec(location.hash);
    if (!r || e.target.matches("input, textarea") || e.altKey || e.ctrlKey || e.metaKey) return;
    var n = +r[1];
    if (e.key === "ArrowRight" && n < pairs.length) location.hash = "#pair=" + (n + 1);
    if (e.key === "ArrowLeft" && n > 1) location.hash = "#pair=" + (n - 1);
  });

  // ---------- routing ----------
  var built = {};
  function route() {
    var h = location.hash, view = "stories", rank = 0, r = /^#pair=(\d+)(?:&hl=(passages|sentences))?/.exec(h);
    var rp = /^#pairs(?:&story=(\d+))?$/.exec(h);
    if (r) { view = "pair"; rank = +r[1]; if (r[2]) pairMode = r[2]; } else if (rp) {
      view = "pairs";
      var story = rp[1] == null ? -1 : +rp[1];
      if (story !== state.story) { state.story = story; state.page = 0; }
    }
    if (view === "stories" && !built.stories) { renderStories(); built.stories = true; }
    if (view === "pairs" && !built.pairs) { renderPairsShell(); refilter(); built.pairs = true; }
    if (view === "pairs") {
      var q = document.getElementById("pair-query");
      if (q.value !== state.query) q.value = state.query;
      refilter();
      renderRows();
    }
    ["stories", "pairs", "pair"].forEach(function (v) {
      document.getElementById("view-" + v).hidden = v !== view;
    });
    if (view === "pair") { window.scrollTo(0, 0); renderPair(rank); }
    document.querySelectorAll("nav a").forEach(function (a) {
      a.classList.toggle("active", a.getAttribute("data-nav") === view);
    });
    document.body.setAttribute("data-view", view);
  }
  window.addEventListener("hashchange", route);
  route();
  // The stories are always in the page (the browser test counts them).
  if (!built.stories) { renderStories(); built.stories = true; }
  document.body.setAttribute("data-state", "ready");
  // Time from navigation start to a rendered page (for measuring large reports).
  document.body.setAttribute("data-ready-ms", String(Math.round(performance.now())));
})();
