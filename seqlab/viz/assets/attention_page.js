/* seqlab attention explorer: plain JavaScript + SVG, no libraries, no network.
 * Reads its data from <script type="application/json" id="seqlab-data">; every piece of text from the
 * data reaches the page through textContent or createTextNode, never as HTML. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("seqlab-data").textContent);
  var L = data.layers, H = data.heads, T = data.tokens.length;
  var query = typeof data.query === "number" && data.query >= 0 && data.query < T ? data.query : null; // --query
  var state = {layer: data.start.layer, head: data.start.head, pinned: query, hover: null};

  // ---- weights ------------------------------------------------------------------------------------
  var w = data.weights; // per-mille integers, [L][H][T][T] flattened
  var averages = [];    // [L][T*T] head average per layer
  for (var l = 0; l < L; l++) {
    var avg = new Float64Array(T * T);
    for (var h = 0; h < H; h++) {
      var base = (l * H + h) * T * T;
      for (var c = 0; c < T * T; c++) avg[c] += w[base + c] / 1000 / H;
    }
    averages.push(avg);
  }
  function weight(layer, head, i, j) {
    if (head === "avg") return averages[layer][i * T + j];
    return w[((layer * H + head) * T + i) * T + j] / 1000;
  }

  // ---- colour: white -> deep blue (ColorBrewer Blues) -----------------------------------------------
  var STOPS = [[247, 251, 255], [222, 235, 247], [198, 219, 239], [158, 202, 225], [107, 174, 214],
               [66, 146, 198], [33, 113, 181], [8, 81, 156], [8, 48, 107]];
  function colour(v) {
    v = Math.max(0, Math.min(1, v)) * (STOPS.length - 1);
    var k = Math.min(STOPS.length - 2, Math.floor(v)), f = v - k, a = STOPS[k], b = STOPS[k + 1];
    return "rgb(" + [0, 1, 2].map(function (n) { return Math.round(a[n] + (b[n] - a[n]) * f); }).join(",") + ")";
  }
  function ink(v) { return v > 0.65 ? "#ffffff" : "#0b1f33"; }

  // ---- small DOM helpers ------------------------------------------------------------------------------
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svgEl(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function fmt(v) { return v.toFixed(2); }
  function tokenName(i) {
    var t = data.tokens[i], repeated = data.tokens.indexOf(t) !== data.tokens.lastIndexOf(t);
    return repeated ? "'" + t + "' (" + i + ")" : "'" + t + "'";
  }
  function headName(layer, head) { return head === "avg" ? "layer " + layer + ", average of " + H + " heads" : "layer " + layer + ", head " + head; }
  function pattern(layer, head) { return data.patterns[layer * H + head]; }
  function masked(i, j) { return data.causal && j > i; } // a causal query cannot see later keys
  function focus() { return state.hover !== null ? state.hover : state.pinned; }

  // ---- header: model and sentence -----------------------------------------------------------------------
  document.getElementById("meta").textContent = data.model + " \u00b7 " + L + " layers \u00d7 " + H + " heads \u00b7 " + T +
    " tokens \u00b7 " + (data.causal ? "causal: each token sees only itself and earlier tokens" : "bidirectional");
  var opened = "Opened on layer " + data.start.layer + ", head " + data.start.head + ": " + data.start.why + ".";
  var queryNote = query === null ? "" : " The token you gave with --query, #" + query + " '" + data.tokens[query] + "'" +
    ", is selected: its row and column are highlighted (click it to let go).";
  function startCaption() { // says which head is shown once the reader has picked another, so it never goes stale
    var atStart = state.layer === data.start.layer && String(state.head) === String(data.start.head);
    document.getElementById("start").textContent = (atStart ? opened : "Showing " + headName(state.layer, state.head) +
      ", your pick. " + opened) + (query !== null && state.pinned === query ? queryNote : "");
  }
  function pick(layer, head) { // from the overview or a head chip, which may sit below the matrix: bring it into view
    state.layer = layer; state.head = head; render();
    var box = document.getElementById("matrix").getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) document.getElementById("head-line").scrollIntoView({block: "start"});
  }

  // ---- layer and head pickers ---------------------------------------------------------------------------
  var layerBox = document.getElementById("layers"), headBox = document.getElementById("heads");
  for (var li = 0; li < L; li++) {
    (function (layer) {
      var b = el("button", {type: "button", "data-layer": layer}, String(layer));
      b.addEventListener("click", function () { state.layer = layer; render(); });
      layerBox.appendChild(b);
    })(li);
  }
  var heads = ["avg"];
  for (var hi = 0; hi < H; hi++) heads.push(hi);
  heads.forEach(function (head) {
    var b = el("button", {type: "button", "data-head": head}, head === "avg" ? "average" : String(head));
    b.addEventListener("click", function () { state.head = head; render(); });
    headBox.appendChild(b);
  });

  // ---- token chips: the sentence, shaded by where the focused token looks -------------------------------
  var chipBox = document.getElementById("tokens"), chips = [];
  data.tokens.forEach(function (token, i) {
    if (data.sentence_b_start !== null && i === data.sentence_b_start) chipBox.appendChild(el("span", {"class": "divider", "aria-hidden": "true"}, "|"));
    var chip = el("button", {type: "button", "class": "chip", "data-index": i}, token);
    chip.addEventListener("mouseenter", function () { state.hover = i; update(); });
    chip.addEventListener("mouseleave", function () { state.hover = null; update(); });
    chip.addEventListener("focus", function () { state.hover = i; update(); });
    chip.addEventListener("blur", function () { state.hover = null; update(); });
    chip.addEventListener("click", function () { state.pinned = state.pinned === i ? null : i; update(); });
    chipBox.appendChild(chip);
    chips.push(chip);
  });

  // ---- the matrix: rows are queries (who looks), columns keys (looked at) -------------------------------
  var longest = data.tokens.reduce(function (m, t) { return Math.max(m, t.length); }, 1);
  var labelRoom = Math.min(150, 16 + 7.5 * longest);
  var cell = Math.max(12, Math.min(36, Math.floor(520 / T)));
  var showValues = cell >= 30;
  var size = cell * T;
  var svg = svgEl("svg", {width: labelRoom + size + 8, height: labelRoom + size + 8, role: "img", "aria-label": "attention matrix"});
  var grid = svgEl("g", {transform: "translate(" + labelRoom + "," + labelRoom + ")"});
  svg.appendChild(grid);
  var cells = [], values = [], rowLabels = [], colLabels = [];
  for (var i = 0; i < T; i++) {
    for (var j = 0; j < T; j++) {
      var r = svgEl("rect", {x: j * cell, y: i * cell, width: cell - 1, height: cell - 1, "class": "cell"});
      r.appendChild(svgEl("title"));
      grid.appendChild(r);
      cells.push(r);
      if (showValues) {
        var v = svgEl("text", {x: j * cell + cell / 2 - 0.5, y: i * cell + cell / 2 + 3.5, "class": "value"});
        grid.appendChild(v);
        values.push(v);
      }
    }
  }
  function label(i, isRow) {
    var attrs = isRow ? {x: -6, y: i * cell + cell / 2 + 4, "text-anchor": "end"}
                      : {x: 0, y: 0, transform: "translate(" + (i * cell + cell / 2 + 4) + ",-6) rotate(-60)"};
    attrs["class"] = "label";
    attrs["data-index"] = i;
    attrs["font-size"] = Math.min(12, cell - 1);
    var t = svgEl("text", attrs, data.tokens[i]);
    t.addEventListener("mouseenter", function () { state.hover = i; update(); });
    t.addEventListener("mouseleave", function () { state.hover = null; update(); });
    t.addEventListener("click", function () { state.pinned = state.pinned === i ? null : i; update(); });
    grid.appendChild(t);
    return t;
  }
  for (var k = 0; k < T; k++) { rowLabels.push(label(k, true)); colLabels.push(label(k, false)); }
  if (data.sentence_b_start !== null) {
    var s = data.sentence_b_start * cell - 0.5;
    grid.appendChild(svgEl("line", {x1: s, x2: s, y1: -2, y2: size, "class": "divide"}));
    grid.appendChild(svgEl("line", {x1: -2, x2: size, y1: s, y2: s, "class": "divide"}));
  }
  var rowBox = svgEl("rect", {id: "row-highlight", x: -1, y: 0, width: size + 1, height: cell + 1, "class": "highlight", visibility: "hidden"});
  var colBox = svgEl("rect", {id: "col-highlight", x: 0, y: -1, width: cell + 1, height: size + 1, "class": "highlight", visibility: "hidden"});
  grid.appendChild(rowBox);
  grid.appendChild(colBox);
  document.getElementById("matrix").appendChild(svg);

  // ---- overview of every head: small canvases, click to pick --------------------------------------------
  var overview = document.getElementById("overview"), thumbs = [];
  var px = Math.max(1, Math.floor(60 / T)); // each thumbnail at most about 60 px, so a row of heads fits the page
  var table = el("table");
  var headRow = el("tr");
  headRow.appendChild(el("th"));
  heads.forEach(function (head) { headRow.appendChild(el("th", {scope: "col"}, head === "avg" ? "avg" : "H" + head)); });
  table.appendChild(headRow);
  for (var ol = 0; ol < L; ol++) {
    var tr = el("tr");
    tr.appendChild(el("th", {scope: "row"}, "L" + ol));
    heads.forEach(function (head) {
      var layer = ol, td = el("td");
      var canvas = el("canvas", {width: px * T, height: px * T, "data-layer": layer, "data-head": head});
      var p = head === "avg" ? null : pattern(layer, head);
      canvas.title = headName(layer, head) + (p ? ": " + p.text : "");
      var ctx = canvas.getContext("2d");
      for (var a = 0; a < T; a++) for (var b = 0; b < T; b++) {
        ctx.fillStyle = colour(weight(layer, head, a, b));
        ctx.fillRect(b * px, a * px, px, px);
      }
      canvas.addEventListener("click", function () { pick(layer, head); });
      td.appendChild(canvas);
      tr.appendChild(td);
      thumbs.push(canvas);
    });
    table.appendChild(tr);
  }
  overview.appendChild(table);

  // ---- notable heads, grouped by what they do ------------------------------------------------------------
  var groups = [], byKey = {};
  var TITLES = {previous: "look at the previous token", next: "look at the next token", self: "look at themselves",
                token: "look at one token: ", sink: "park their weight on ", broad: "spread out evenly"};
  data.notable.forEach(function (index) {
    var p = data.patterns[index], key = p.kind + "\u0000" + (p.token === null ? "" : p.token);
    if (!(key in byKey)) { byKey[key] = {kind: p.kind, token: p.token, heads: []}; groups.push(byKey[key]); }
    byKey[key].heads.push(p);
  });
  var notableBox = document.getElementById("notable");
  if (!groups.length) notableBox.appendChild(el("p", {}, "No head does one thing clearly on this input (every head is mixed)."));
  groups.forEach(function (g) {
    var title = TITLES[g.kind] + (g.kind === "token" ? "'" + g.token + "'" : g.kind === "sink" ? g.token : "");
    var row = el("div", {"class": "group"});
    row.appendChild(el("span", {"class": "group-title"}, g.heads.length + (g.heads.length === 1 ? " head " : " heads ") + title.replace(/^look/, g.heads.length === 1 ? "looks" : "look").replace(/^park/, g.heads.length === 1 ? "parks" : "park").replace(/^spread/, g.heads.length === 1 ? "spreads" : "spread")));
    g.heads.forEach(function (p) {
      var b = el("button", {type: "button", "class": "head-chip", "data-layer": p.layer, "data-head": p.head, title: "L" + p.layer + " H" + p.head + ": " + p.text},
                 "L" + p.layer + " H" + p.head + " " + fmt(p.score));
      b.addEventListener("click", function () { pick(p.layer, p.head); });
      row.appendChild(b);
    });
    notableBox.appendChild(row);
  });
  var mixed = data.patterns.length - data.notable.length;
  if (mixed) notableBox.appendChild(el("p", {"class": "note"}, mixed + (mixed === 1 ? " head mixes" : " heads mix") + " several patterns; pick " + (mixed === 1 ? "it" : "them") + " in the overview below."));

  // ---- drawing ------------------------------------------------------------------------------------------
  function render() {
    Array.prototype.forEach.call(layerBox.querySelectorAll("button"), function (b) { b.setAttribute("aria-pressed", String(+b.dataset.layer === state.layer)); });
    Array.prototype.forEach.call(headBox.querySelectorAll("button"), function (b) { b.setAttribute("aria-pressed", String(b.dataset.head === String(state.head))); });
    thumbs.forEach(function (c) { c.classList.toggle("current", +c.dataset.layer === state.layer && c.dataset.head === String(state.head)); });
    var line = document.getElementById("head-line");
    if (state.head === "avg") line.textContent = "Layer " + state.layer + ", average of its " + H + " heads.";
    else line.textContent = "L" + state.layer + " H" + state.head + ": " + pattern(state.layer, state.head).text;
    for (var i = 0; i < T; i++) for (var j = 0; j < T; j++) {
      var v = weight(state.layer, state.head, i, j), c = cells[i * T + j];
      c.setAttribute("fill", masked(i, j) ? "#e4e7eb" : colour(v));
      c.firstChild.textContent = data.tokens[i] + " \u2192 " + data.tokens[j] + ": " +
        (masked(i, j) ? "masked (a later token)" : fmt(v));
      if (showValues) {
        values[i * T + j].textContent = v >= 0.005 ? fmt(v).replace(/^0/, "") : "";
        values[i * T + j].setAttribute("fill", ink(v));
      }
    }
    update();
  }

  function bars(box, heading, pairs) {
    box.textContent = "";
    box.appendChild(el("h3", {}, heading));
    var list = el("ol", {"class": "bars"});
    pairs.forEach(function (pair) {
      var item = el("li");
      item.appendChild(el("span", {"class": "bar-token"}, pair[0]));
      var track = el("span", {"class": "bar-track"});
      var fill = el("span", {"class": "bar-fill"});
      fill.style.width = (100 * pair[1]).toFixed(1) + "%";
      track.appendChild(fill);
      item.appendChild(track);
      item.appendChild(el("span", {"class": "bar-value"}, pair[3] ? "masked" : fmt(pair[1])));
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  function listFor(weights, isRow, f) {
    var pairs = weights.map(function (v, k) { return [data.tokens[k], v, k, isRow ? masked(f, k) : masked(k, f)]; });
    if (T > 24) pairs = pairs.slice().sort(function (a, b) { return b[1] - a[1]; }).slice(0, 12);
    return pairs;
  }

  function update() {
    startCaption();
    var f = focus();
    var svgNode = document.querySelector("#matrix svg");
    svgNode.classList.toggle("focused", f !== null);
    chips.forEach(function (chip, k) {
      var on = f === k;
      chip.classList.toggle("selected", on);
      chip.setAttribute("aria-pressed", String(state.pinned === k));
      if (f === null) { chip.style.background = ""; chip.style.color = ""; return; }
      var v = weight(state.layer, state.head, f, k);
      chip.style.background = colour(v);
      chip.style.color = ink(v);
    });
    rowLabels.forEach(function (t, k) { t.classList.toggle("on", f === k); });
    colLabels.forEach(function (t, k) { t.classList.toggle("on", f === k); });
    for (var i = 0; i < T; i++) for (var j = 0; j < T; j++) cells[i * T + j].classList.toggle("on", f !== null && (i === f || j === f));
    var row = document.getElementById("row-list"), col = document.getElementById("col-list"), hint = document.getElementById("focus-hint");
    if (f === null) {
      rowBox.setAttribute("visibility", "hidden");
      colBox.setAttribute("visibility", "hidden");
      svgNode.removeAttribute("data-focus");
      hint.textContent = "Hover over a token (in the sentence or on the matrix edge) to see where it looks and what looks at it; click to keep it.";
      row.textContent = "";
      col.textContent = "";
      return;
    }
    svgNode.setAttribute("data-focus", f);
    rowBox.setAttribute("y", f * cell - 0.5);
    colBox.setAttribute("x", f * cell - 0.5);
    rowBox.setAttribute("visibility", "visible");
    colBox.setAttribute("visibility", "visible");
    hint.textContent = (state.pinned === f ? "Kept: " : "") + tokenName(f) + " in " + headName(state.layer, state.head) +
      (state.pinned === f ? " (click it again to let go)" : "") + ". The shading of the sentence is its row.";
    var rowWeights = [], colWeights = [];
    for (var k = 0; k < T; k++) { rowWeights.push(weight(state.layer, state.head, f, k)); colWeights.push(weight(state.layer, state.head, k, f)); }
    bars(row, "where " + tokenName(f) + " looks (its row, sums to 1)" + (T > 24 ? ", top 12" : ""), listFor(rowWeights, true, f));
    bars(col, "what looks at " + tokenName(f) + " (its column)" + (T > 24 ? ", top 12" : ""), listFor(colWeights, false, f));
  }

  // ---- the q·k panel: how one query's row is made (only when the page was written with --query and --head L,H)
  function signed(v, digits) { return (v >= 0 ? "+" : "\u2212") + Math.abs(v).toFixed(digits); }
  function qkPanel(st) {
    var section = document.getElementById("qk");
    section.hidden = false;
    var q = st.q, root = st.sqrt_d_k, query = st.query_token;
    document.getElementById("qk-meta").textContent = "Layer " + st.layer + ", head " + st.head + " (" + st.numbering +
      "), query '" + query + "' (#" + st.query_index + "); d_k = " + st.d_k + ", so every q\u00b7k is divided by \u221a" +
      st.d_k + " = " + root.toFixed(2) + (st.causal ? "; keys after the query are masked (causal)." : "; no key is masked.");
    var list = document.getElementById("qk-keys"), term = document.getElementById("qk-term");
    var items = [];
    function show(j) {
      items.forEach(function (item, k) { item.classList.toggle("on", k === j); });
      term.textContent = "";
      if (j === null) {
        term.appendChild(el("p", {"class": "note"}, "Hover or focus a key on the left to see its q\u00b7k term."));
        return;
      }
      var key = st.tokens[j];
      term.appendChild(el("h3", {}, "q('" + query + "') \u00b7 k('" + key + "')" + (j === st.query_index ? " (itself)" : "")));
      var sum = el("p", {"class": "qk-sum"});
      sum.textContent = "q\u00b7k = \u03a3\u1d62 q\u1d62k\u1d62 over " + st.d_k + " dimensions = " + signed(st.dots[j], 3);
      term.appendChild(sum);
      var table = el("table", {"class": "qk-terms"});
      var head = el("tr");
      ["dimension i", "q\u1d62", "k\u1d62", "q\u1d62k\u1d62"].forEach(function (t) { head.appendChild(el("th", {scope: "col"}, t)); });
      table.appendChild(head);
      var shown = 0;
      st.key_terms[j].forEach(function (pair) {
        var d = pair[0], tr = el("tr");
        [String(d), signed(q[d], 2), signed(st.k[j][d], 2), signed(pair[1], 3)].forEach(function (t) { tr.appendChild(el("td", {}, t)); });
        table.appendChild(tr);
        shown += pair[1];
      });
      term.appendChild(table);
      term.appendChild(el("p", {"class": "note"}, "the " + st.key_terms[j].length + " largest terms add up to " + signed(shown, 3) +
        "; the other " + (st.d_k - st.key_terms[j].length) + " give " + signed(st.dots[j] - shown, 3) + "."));
      var steps = el("ol", {"class": "qk-steps"});
      steps.appendChild(el("li", {}, "\u00f7 \u221a" + st.d_k + ": " + signed(st.dots[j], 3) + " / " + root.toFixed(3) + " = " + signed(st.scaled[j], 3)));
      steps.appendChild(el("li", {}, st.allowed[j] ? "mask: allowed" : "mask: \u2212\u221e (a later token: a causal query cannot see it)"));
      steps.appendChild(el("li", {}, "softmax over the allowed keys: weight " + st.weights[j].toFixed(3) +
        " (the model's own: " + st.model_weights[j].toFixed(3) + ")"));
      term.appendChild(steps);
    }
    st.tokens.forEach(function (token, j) {
      var item = el("li", {tabindex: "0", "class": "qk-key" + (st.allowed[j] ? "" : " masked"), "data-key": j});
      item.appendChild(el("span", {"class": "bar-token"}, token));
      var track = el("span", {"class": "bar-track"}), fill = el("span", {"class": "bar-fill"});
      fill.style.width = (100 * st.weights[j]).toFixed(1) + "%";
      track.appendChild(fill);
      item.appendChild(track);
      item.appendChild(el("span", {"class": "bar-value"}, st.allowed[j] ? st.weights[j].toFixed(3) : "masked"));
      item.addEventListener("mouseenter", function () { show(j); });
      item.addEventListener("focus", function () { show(j); });
      list.appendChild(item);
      items.push(item);
    });
    show(null);
    document.getElementById("qk-check").textContent = (st.matches_model ? "These are the live model's numbers: " :
      "WARNING: ") + "recomputed from its query, key and value layers, the weights " + (st.matches_model ? "equal" : "differ from") +
      " its own attention weights (max |difference| " + st.weight_error.toExponential(1) + ").";
  }
  if (data.steps) qkPanel(data.steps);

  render();
  document.body.setAttribute("data-ready", "true");
})();
