/* A small formatting toolbar over a text block's textarea (block-editor.js calls attach for
   each Markdown field): headings, bold, italics, lists and links, so nobody has to know
   Markdown. The buttons only write Markdown around the selection; what is stored is that text,
   which the server sanitises when it draws it (qms.documents.rendering). Keyboard: the toolbar
   is one Tab stop (arrow keys move along it); Ctrl+B, Ctrl+I and Ctrl+K work in the textarea.
   No inline handlers or styles (CSP); the words come from the editor's configuration. */
(function () {
  "use strict";

  var BLOCK_PREFIX = /^(\s*)(#{1,6}\s+|[-*+]\s+|\d+[.)]\s+)?(.*)$/;
  var LIST_ITEM = /^\s*([-*+]|\d+[.)])\s+/;
  var WORD_CHAR = /[0-9A-Za-z_\u00c0-\u024f]/;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  /* Replace [start, end) with `text` and select [from, to): through the browser's editing
     command when it has one, so that Ctrl+Z undoes the change, else by hand; either way the
     block editor hears an input event and keeps the text. */
  function replace(field, start, end, text, from, to) {
    field.focus();
    field.setSelectionRange(start, end);
    var done = false;
    try {
      done = !!(document.execCommand && document.execCommand("insertText", false, text));
    } catch (error) { done = false; }
    if (!done || field.value.slice(start, start + text.length) !== text) {
      field.setRangeText(text, start, end, "end");
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }
    field.setSelectionRange(from, to);
  }

  function run(value, at, step) {
    var n = 0;
    while (value.charAt(at + n * step) === "*") { n += 1; }
    return n;
  }

  /* The selection without the spaces at its ends (Markdown ignores `** word **`); a caret
     inside a word takes the word, as in a word processor. */
  function selection(field) {
    var v = field.value;
    var s = field.selectionStart;
    var e = field.selectionEnd;
    while (s < e && /\s/.test(v.charAt(s))) { s += 1; }
    while (e > s && /\s/.test(v.charAt(e - 1))) { e -= 1; }
    if (s === e && WORD_CHAR.test(v.charAt(s - 1)) && WORD_CHAR.test(v.charAt(s))) {
      while (s > 0 && WORD_CHAR.test(v.charAt(s - 1))) { s -= 1; }
      while (e < v.length && WORD_CHAR.test(v.charAt(e))) { e += 1; }
    }
    return { s: s, e: e };
  }

  /* Bold (`**`) or italics (`*`) around the selection; pressed again, taken off. */
  function emphasis(field, marker, placeholder) {
    var v = field.value;
    var r = selection(field);
    var m = marker.length;
    var before = run(v, r.s - 1, -1);
    var after = run(v, r.e, 1);
    var on = m === 2 ? before >= 2 && after >= 2 : before % 2 === 1 && after % 2 === 1;
    if (r.s < r.e && on) {
      replace(field, r.s - m, r.e + m, v.slice(r.s, r.e), r.s - m, r.e - m);
      return;
    }
    var chosen = v.slice(r.s, r.e);
    var first = run(chosen, 0, 1);
    var last = run(chosen, chosen.length - 1, -1);
    var inside = m === 2 ? first >= 2 && last >= 2 : first % 2 === 1 && last % 2 === 1;
    if (chosen.length > 2 * m && inside) {
      replace(field, r.s, r.e, chosen.slice(m, chosen.length - m), r.s, r.e - 2 * m);
      return;
    }
    if (!chosen) {
      var start = r.s + m;
      replace(field, r.s, r.e, marker + placeholder + marker, start, start + placeholder.length);
      return;
    }
    /* Emphasis stops at a line break: each line is wrapped on its own, after its prefix. */
    var lines = chosen.split("\n").map(function (line) {
      var parts = BLOCK_PREFIX.exec(line);
      var body = parts[3].replace(/\s+$/, "");
      if (!body) { return line; }
      return parts[1] + (parts[2] || "") + marker + body + marker + parts[3].slice(body.length);
    });
    var text = lines.join("\n");
    if (lines.length === 1) { replace(field, r.s, r.e, text, r.s + m, r.e + m); }
    else { replace(field, r.s, r.e, text, r.s, r.s + text.length); }
  }

  /* The whole lines the selection touches. */
  function lineRange(v, s, e) {
    if (e > s && v.charAt(e - 1) === "\n") { e -= 1; }
    var start = v.lastIndexOf("\n", s - 1) + 1;
    var end = v.indexOf("\n", e);
    return { start: start, end: end < 0 ? v.length : end };
  }

  /* A heading ("## ", "### "), a bulleted ("- ") or a numbered ("1. ") list on the lines
     of the selection; pressed again on lines that already are one, taken off. Lists and
     headings get a blank line around them, which Markdown needs to see them. */
  function lines(field, kind, prefix) {
    var v = field.value;
    var range = lineRange(v, field.selectionStart, field.selectionEnd);
    var rows = v.slice(range.start, range.end).split("\n");
    var filled = rows.filter(function (row) { return row.trim(); });
    var has = function (row) {
      var p = BLOCK_PREFIX.exec(row)[2] || "";
      if (kind === "heading") { return p.replace(/\s+$/, " ") === prefix; }
      return kind === "bullets" ? /^[-*+]\s/.test(p) : /^\d+[.)]\s/.test(p);
    };
    var off = filled.length > 0 && filled.every(has);
    var n = 0;
    var out = rows.map(function (row) {
      var parts = BLOCK_PREFIX.exec(row);
      if (!row.trim() && rows.length > 1) { return row; }
      if (off) { return (kind === "heading" ? "" : parts[1]) + parts[3]; }
      n += 1;
      if (kind === "heading") { return prefix + parts[3]; }
      return parts[1] + (kind === "bullets" ? "- " : n + ". ") + parts[3];
    });
    var text = out.join("\n");
    var head = "";
    var tail = "";
    if (!off) {
      var above = v.slice(0, range.start).replace(/\n$/, "");
      var previous = above.slice(above.lastIndexOf("\n") + 1);
      var below = v.slice(range.end + 1);
      var next = range.end < v.length ? below.slice(0, (below + "\n").indexOf("\n")) : "";
      var joins = function (line) { return kind !== "heading" && LIST_ITEM.test(line); };
      if (range.start > 0 && previous.trim() && !joins(previous)) { head = "\n"; }
      if (next.trim() && !joins(next)) { tail = "\n"; }
    }
    var from = range.start + head.length;
    /* On an empty line the caret waits after the new prefix; else the lines stay selected. */
    var to = from + text.length;
    replace(field, range.start, range.end, head + text + tail, filled.length ? from : to, to);
  }

  /* A web or e-mail address as the server keeps it (http, https, mailto only); else "". */
  function address(raw) {
    var url = String(raw || "").trim();
    if (!url) { return ""; }
    if (/^(https?:\/\/|mailto:)/i.test(url)) { return /\s/.test(url) ? "" : url; }
    if (/^[^\s@:\/]+@[^\s@:\/]+\.[^\s@:\/]+$/.test(url)) { return "mailto:" + url; }
    if (/^[^\s:\/]+\.[^\s:\/]+(\/\S*)?$/.test(url)) { return "https://" + url; }
    return "";
  }

  function link(field, words) {
    var r = selection(field);
    var chosen = field.value.slice(r.s, r.e);
    var given = window.prompt(words.fmtLinkAddress, address(chosen) || "https://");
    if (given === null) { field.focus(); return; }
    var url = address(given);
    if (!url) { window.alert(words.fmtLinkRefused); field.focus(); return; }
    var label = chosen.replace(/[\[\]]/g, "") || given.trim();
    var text = "[" + label + "](" + url.replace(/\(/g, "%28").replace(/\)/g, "%29") + ")";
    replace(field, r.s, r.e, text, r.s + 1, r.s + 1 + label.length);
  }

  function attach(field, words) {
    var W = words || {};
    var bar = el("div", "format-toolbar");
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", W.fmtToolbar || "");
    if (field.id) { bar.setAttribute("aria-controls", field.id); }
    var actions = [
      ["heading", W.fmtHeading, W.fmtHeading, "", function () { lines(field, "heading", "## "); }],
      ["subheading", W.fmtSubheading, W.fmtSubheading, "", function () { lines(field, "heading", "### "); }],
      ["bold", W.fmtBoldShort, W.fmtBold, "Control+B", function () { emphasis(field, "**", W.fmtBoldText); }],
      ["italic", W.fmtItalicShort, W.fmtItalic, "Control+I", function () { emphasis(field, "*", W.fmtItalicText); }],
      ["bullets", W.fmtBullets, W.fmtBullets, "", function () { lines(field, "bullets"); }],
      ["numbers", W.fmtNumbers, W.fmtNumbers, "", function () { lines(field, "numbers"); }],
      ["link", W.fmtLinkShort, W.fmtLink, "Control+K", function () { link(field, W); }]
    ];
    var buttons = actions.map(function (a, i) {
      var b = el("button", "format-" + a[0], a[1]);
      b.type = "button";
      if (field.id) { b.id = field.id + "-fmt-" + a[0]; }
      b.setAttribute("aria-label", a[2]);
      b.title = a[2];
      if (a[3]) { b.setAttribute("aria-keyshortcuts", a[3]); }
      b.tabIndex = i === 0 ? 0 : -1;
      /* A click keeps the focus (and the selection) in the text. */
      b.addEventListener("mousedown", function (event) { event.preventDefault(); });
      b.addEventListener("click", a[4]);
      bar.appendChild(b);
      return b;
    });
    /* One Tab stop: the arrows, Home and End move along the toolbar. */
    bar.addEventListener("keydown", function (event) {
      var at = buttons.indexOf(document.activeElement);
      if (at < 0) { return; }
      var to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (to === undefined) { return; }
      event.preventDefault();
      to = (to + buttons.length) % buttons.length;
      buttons[at].tabIndex = -1;
      buttons[to].tabIndex = 0;
      buttons[to].focus();
    });
    var keys = { b: 2, i: 3, k: 6 };
    field.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) { return; }
      var index = keys[String(event.key).toLowerCase()];
      if (index === undefined) { return; }
      event.preventDefault();
      actions[index][4]();
    });
    var wrap = el("div", "format-field");
    wrap.appendChild(bar);
    wrap.appendChild(field);
    return wrap;
  }

  window.QmsFormat = { attach: attach, address: address };
}());
