/* Paste from Word and Excel into the draft's block editor (block-editor.js calls in here).
   A table copied from Word (text/html) or a range from Excel or LibreOffice (text/plain with
   tabs, or text/html) fills a row editor from the caret's cell; formatted text from Word
   pasted into a Markdown field becomes Markdown. Pasted HTML is read with DOMParser into a
   document of its own (no script runs there, nothing of it is inserted into the page) and only
   its text is kept. Names no field of any kind: the fields come from #block-editor-config. */
(function () {
  "use strict";

  /* What the server accepts (qms.documents.block_fields), where the configuration says nothing. */
  var MAX_ROWS = 1000;
  var MAX_COLUMNS = 30;
  var SKIPPED = { script: 1, style: 1, template: 1, noscript: 1, head: 1, title: 1, meta: 1,
    link: 1, object: 1, iframe: 1, svg: 1, math: 1, xml: 1 };
  var BLOCKS = { p: 1, div: 1, h1: 1, h2: 1, h3: 1, h4: 1, h5: 1, h6: 1, li: 1, ul: 1, ol: 1,
    table: 1, thead: 1, tbody: 1, tfoot: 1, tr: 1, td: 1, th: 1, blockquote: 1, pre: 1,
    section: 1, article: 1, header: 1, footer: 1, dl: 1, dt: 1, dd: 1, hr: 1, address: 1,
    figure: 1, caption: 1, center: 1 };

  function tag(node) { return node.nodeType === 1 ? node.tagName.toLowerCase() : ""; }
  function attr(node, name) { return (node.getAttribute && node.getAttribute(name)) || ""; }
  /* Lower case, no accents, no punctuation at the ends, single spaces: for matching words. */
  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[\s\u00a0]+/g, " ").replace(/^[\s.:;,·*()\-]+|[\s.:;,·*()\-]+$/g, "");
  }
  function collapse(text) { return text.replace(/[\s\u00a0]+/g, " "); }
  /* A document of its own for pasted HTML: inert (no script or handler runs, nothing loads),
     but the page's CSP reaches it and would refuse (and log) every <style>, style attribute
     and on* handler; so those are dropped or renamed before it is parsed. */
  function parse(html) {
    var quiet = String(html).replace(/<style\b[\s\S]*?<\/style\s*>/gi, "")
      .replace(/<[a-zA-Z][^>]*>/g, function (t) {
        return t.replace(/(\s)(style|on[a-z]+)(\s*=)/gi, "$1data-$2$3");
      });
    return new DOMParser().parseFromString(quiet, "text/html");
  }

  /* ---- a table from the clipboard --------------------------------------------------- */

  /* A cell's text: its text nodes' textContent, inner whitespace collapsed, a line break (<br>,
     or one paragraph after another) kept as "\n". */
  function cellText(cell) {
    var out = "";
    function newline() { if (out && out.charAt(out.length - 1) !== "\n") { out += "\n"; } }
    function walk(node) {
      Array.prototype.forEach.call(node.childNodes, function (child) {
        if (child.nodeType === 3) { out += collapse(child.textContent); return; }  /* source line breaks are spaces */
        var name = tag(child);
        if (!name || SKIPPED[name]) { return; }
        if (name === "br") { out += "\n"; return; }
        if (BLOCKS[name]) { newline(); walk(child); newline(); return; }
        walk(child);
      });
    }
    walk(cell);
    return out.split("\n").map(function (line) { return line.trim(); })
      .filter(function (line) { return line; }).join("\n");
  }

  function tableFromHtml(html) {
    var table = parse(html).querySelector("table");
    if (!table) { return null; }
    var grid = [];
    var spans = [];  /* column → {left: rows still covered, text} of a cell spanning rows */
    Array.prototype.forEach.call(table.rows, function (tr) {
      var row = [];
      var cells = Array.prototype.slice.call(tr.cells);
      var c = 0;
      function fillSpans() {
        while (spans[c] && spans[c].left > 0) { row[c] = spans[c].text; spans[c].left -= 1; c += 1; }
      }
      cells.forEach(function (td) {
        fillSpans();
        var text = cellText(td);
        var across = Math.max(1, Math.min(Number(td.colSpan) || 1, MAX_COLUMNS));
        var down = Math.max(1, Math.min(Number(td.rowSpan) || 1, MAX_ROWS));
        for (var k = 0; k < across; k += 1) {
          row[c] = k === 0 ? text : "";
          if (down > 1) { spans[c] = { left: down - 1, text: k === 0 ? text : "" }; }
          c += 1;
        }
      });
      fillSpans();
      for (var i = 0; i < row.length; i += 1) { if (row[i] === undefined) { row[i] = ""; } }
      grid.push(row);
    });
    return grid;
  }

  /* Tab-separated text as Excel writes it: a cell holding tabs, line breaks or quotes is
     quoted, its quotes doubled. */
  function tableFromTsv(text) {
    var rows = [];
    var row = [];
    var value = "";
    var quoted = false;
    var i = 0;
    text = text.replace(/\r\n?/g, "\n");
    while (i < text.length) {
      var ch = text.charAt(i);
      if (quoted) {
        if (ch === "\"" && text.charAt(i + 1) === "\"") { value += "\""; i += 2; continue; }
        if (ch === "\"") { quoted = false; i += 1; continue; }
        value += ch;
      } else if (ch === "\"" && value === "") {
        quoted = true;
      } else if (ch === "\t") {
        row.push(value); value = "";
      } else if (ch === "\n") {
        row.push(value); rows.push(row); row = []; value = "";
      } else {
        value += ch;
      }
      i += 1;
    }
    if (value !== "" || row.length) { row.push(value); rows.push(row); }
    return rows.map(function (cells) {
      return cells.map(function (cell) {
        return cell.split("\n").map(function (line) { return collapse(line).trim(); })
          .filter(function (line) { return line; }).join("\n");
      });
    });
  }

  /* Rows of equal width, without empty rows or empty trailing columns; null if nothing. */
  function tidy(rows) {
    rows = rows.filter(function (row) { return row.some(function (cell) { return cell; }); });
    var width = 0;
    rows.forEach(function (row) {
      row.forEach(function (cell, i) { if (cell) { width = Math.max(width, i + 1); } });
    });
    if (!rows.length) { return null; }
    return rows.map(function (row) {
      var cells = row.slice(0, width);
      while (cells.length < width) { cells.push(""); }
      return cells;
    });
  }

  /* The table a paste carries (rows of cell texts), or null when it carries none: an HTML
     <table> first, else text/plain with tabs. */
  function tableFromClipboard(dataTransfer) {
    if (!dataTransfer) { return null; }
    var html = dataTransfer.getData("text/html");
    if (html && /<table[\s>]/i.test(html)) {
      var fromHtml = tidy(tableFromHtml(html) || []);
      if (fromHtml) { return fromHtml; }
    }
    var text = dataTransfer.getData("text/plain");
    if (text && text.indexOf("\t") >= 0) { return tidy(tableFromTsv(text)); }
    return null;
  }

  /* ---- filling a row editor ---------------------------------------------------------- */

  function isPhvaField(f) {
    if (f.input !== "choice" || !f.choices) { return false; }
    var values = f.choices.map(function (pair) { return pair[0]; }).join("");
    return values === "PHVA";
  }
  /* The stored value a pasted text names among a choice field's choices, or null. */
  function choiceOf(f, text) {
    var word = fold(text);
    if (!word) { return null; }
    var found = null;
    (f.choices || []).forEach(function (pair) {
      var value = String(pair[0]);
      if (!found && [fold(value), fold(pair[1]), fold(value + " · " + pair[1])].indexOf(word) >= 0) {
        found = value;
      }
    });
    if (found) { return found; }
    if (f.aliases && f.aliases[word]) { return f.aliases[word]; }
    if (f.aliases) {
      /* "HACER", "H · Hacer", "Fase: Verificar": every word that is not the column's own name
         (its label or the headers Word documents give it) names the same choice. */
      var own = {};
      [f.label, f.heading].concat(f.headers || []).forEach(function (name) {
        fold(name).split(/[^a-z]+/).forEach(function (w) { own[w] = true; });
      });
      var named = word.split(/[^a-z]+/).filter(function (w) { return w && !own[w]; })
        .map(function (w) { return f.aliases[w] || "?"; });
      if (named.length && named.length <= 2 && named[0] !== "?"
          && named.every(function (n) { return n === named[0]; })) {
        return named[0];
      }
    }
    return null;
  }
  var YES = /^(s[ií]|yes|y|x|✓|✔|☑|true|verdadero|1|obligatorio|requerido|required)$/i;

  /* Puts a pasted cell's text into row[f.key] as the field's input stores it. */
  function setCell(f, row, text, keep) {
    if (f.input === "choice") {
      var value = choiceOf(f, text);
      if (value !== null) { row[f.key] = value; }
    } else if (f.input === "flag") {
      if (text) { row[f.key] = YES.test(text.trim()); }
    } else if (f.input === "list") {
      row[f.key] = text.split("\n").filter(function (line) { return line; });
    } else if (f.input === "decision" || f.input === "clauses" || f.input === "grid") {
      return;
    } else if (text || keep.indexOf(f.key) < 0) {
      row[f.key] = f.input === "line" ? text.replace(/\n/g, " ") : text;
    }
  }

  /* Whether a pasted cell is a column's name: its label, short heading or a known spelling. */
  function namesColumn(text, fields) {
    var word = fold(text);
    var singular = word.replace(/(es|s)$/, "");
    return fields.some(function (f) {
      var names = [f.label, f.heading].concat(f.headers || []).filter(function (n) { return n; });
      return names.some(function (name) {
        var folded = fold(name);
        return folded && (folded === word || folded.replace(/(es|s)$/, "") === singular);
      });
    });
  }
  /* A first row most of whose cells name columns ("No." need not match "Step number"). */
  function isHeader(row, fields) {
    var filled = row.filter(function (cell) { return cell; });
    var named = filled.filter(function (cell) { return namesColumn(cell, fields); }).length;
    return named > 0 && (named === filled.length || (named >= 2 && named * 2 >= filled.length));
  }

  /* Where the caret is: {row, col, header} from the focused control's id (base-<row>-<key>,
     the column names' base-col-<n>, or the add button: after the last row). */
  function locate(node, target, fields) {
    var id = (node && node.id) || "";
    if (id === target.base + "-add") { return { row: target.rows.length, col: 0 }; }
    if (target.columnsBase && id.indexOf(target.columnsBase) === 0) {
      var n = Number(id.slice(target.columnsBase.length));
      return isNaN(n) ? null : { row: 0, col: n, header: true };
    }
    var m = /^(\d+)-(.+)$/.exec(id.indexOf(target.base + "-") === 0 ? id.slice(target.base.length + 1) : "");
    if (!m) { return null; }
    for (var c = 0; c < fields.length; c += 1) {
      if (String(fields[c].key) === m[2]) { return { row: Number(m[1]), col: c }; }
    }
    return null;
  }

  /* The free table's columns as fields: index keys, their names as labels. */
  function tableFields(columns) {
    return columns.map(function (name, i) { return { key: i, label: name, input: "text" }; });
  }

  /* Fills target.rows from the pasted table, from the caret's cell. `target` (from
     block-editor.js): rows, fields (the editor's columns, in order), base (the ids' prefix),
     newRow(), keep (keys an empty cell does not clear), maxRows; the free table also gives
     columns, columnsBase, addColumn() and maxColumns. Returns null where the browser's own
     paste should happen (no table, one cell, caret elsewhere); else {rows, focus}. */
  function fillRows(table, target, at) {
    var fields = target.columns ? tableFields(target.columns) : target.fields;
    var maxRows = target.maxRows || MAX_ROWS;
    var keep = target.keep || [];
    var phaseAt = -1;
    fields.forEach(function (f, i) { if (phaseAt < 0 && isPhvaField(f)) { phaseAt = i; } });
    var phaseField = phaseAt >= 0 ? fields[phaseAt] : null;
    var isPhase = function (text) { return phaseField ? choiceOf(phaseField, text) : null; };

    var header = !at.header && isHeader(table[0], fields) ? table[0] : null;
    if (header) { table = table.slice(1); }
    if (!table.length) { return { rows: 0, focus: null }; }
    var width = table[0].length;
    var start = at.col;
    /* A header row puts its columns under the columns it names, wherever the caret is. */
    var aligned = function (k) {
      return header.filter(function (cell, j) { return cell && fields[k + j] && namesColumn(cell, [fields[k + j]]); }).length;
    };
    if (header) {
      for (var k = 0; k < fields.length; k += 1) { if (aligned(k) > aligned(start)) { start = k; } }
    } else if (phaseField && width > 1 && start !== phaseAt
        && table.every(function (row) { return !row[0] || isPhase(row[0]); })
        && table.some(function (row) { return row[0] && row.slice(1).some(function (c) { return c; }); })) {
      /* A first column of phase words goes to the phase, wherever the caret is. */
      start = phaseAt;
    }
    if (target.columns) {
      var wanted = Math.min(start + width, target.maxColumns || MAX_COLUMNS);
      while (target.columns.length < wanted) { target.addColumn(); }
      fields = tableFields(target.columns);
      if (at.header) {
        table[0].forEach(function (text, j) {
          if (start + j < target.columns.length) { target.columns[start + j] = text.replace(/\n/g, " "); }
        });
        table = table.slice(1);
      }
    }

    var r = at.row;
    var written = 0;
    var phase = null;
    table.forEach(function (cells) {
      var filled = cells.filter(function (c) { return c; });
      /* A row holding only a phase word (a merged row in Word) heads the rows below it. */
      if (phaseField && width > 1 && filled.length === 1 && isPhase(filled[0])) { phase = isPhase(filled[0]); return; }
      if (r >= target.rows.length) {
        if (target.rows.length >= maxRows) { return; }
        target.rows.push(target.newRow());
      }
      var row = target.rows[r];
      cells.forEach(function (text, j) {
        var f = fields[start + j];
        if (!f) { return; }
        if (target.columns) { row[f.key] = text; } else { setCell(f, row, text, keep); }
        if (f === phaseField && isPhase(text)) { phase = isPhase(text); }
      });
      var phaseCell = start <= phaseAt && phaseAt < start + width ? cells[phaseAt - start] : "";
      if (phaseField && phase && !isPhase(phaseCell)) { row[phaseField.key] = phase; }
      r += 1;
      written += 1;
    });
    var focus = at.header ? target.columnsBase + start
      : written ? target.base + "-" + at.row + "-" + fields[start].key : null;
    return { rows: written, focus: focus };
  }

  /* The paste handler of a row editor: fills it and says what was done, or null (and then
     the browser pastes as usual: one value into one input). */
  function pasteRows(event, target) {
    var fields = target.columns ? tableFields(target.columns) : target.fields;
    var at = locate(event.target, target, fields);
    if (!at) { return null; }
    var table = tableFromClipboard(event.clipboardData);
    if (!table || (table.length === 1 && table[0].length === 1)) { return null; }
    event.preventDefault();
    return fillRows(table, target, at);
  }

  /* ---- Markdown from formatted text ---------------------------------------------------- */

  /* Characters Markdown would read as markup, escaped where they stand in the text. */
  function escapeInline(text) { return text.replace(/([\\`*_[\]|])/g, "\\$1"); }
  function escapeLineStart(line) {
    return line.replace(/^(\s*)(#|>|[-+](?=\s|$)|-{3,})/, "$1\\$2").replace(/^(\s*\d+)\.(?=\s|$)/, "$1\\.");
  }
  function styleOf(node) { return attr(node, "data-style").toLowerCase().replace(/\s+/g, ""); }
  function isBold(node, name) {
    var style = styleOf(node);
    if (/font-weight:(normal|400|300|lighter)/.test(style)) { return false; }
    return name === "b" || name === "strong" || /font-weight:(bold|bolder|[6-9]00)/.test(style);
  }
  function isItalic(node, name) {
    var style = styleOf(node);
    if (/font-style:normal/.test(style)) { return false; }
    return name === "i" || name === "em" || /font-style:(italic|oblique)/.test(style);
  }
  function wrap(text, mark) {
    var m = /^(\s*)([\s\S]*?)(\s*)$/.exec(text);
    return m[2] ? m[1] + mark + m[2] + mark + m[3] : text;
  }
  /* A node's inline content as Markdown; `plain` leaves emphasis out (a heading's text). */
  function inline(node, ctx) {
    var out = "";
    Array.prototype.forEach.call(node.childNodes, function (child) {
      if (child.nodeType === 3) { out += escapeInline(collapse(child.textContent)); return; }
      var name = tag(child);
      if (!name || SKIPPED[name]) { return; }
      if (name === "br") { out += "\n"; return; }
      if (/mso-list:ignore/.test(styleOf(child))) { return; }
      var bold = !ctx.plain && !ctx.bold && isBold(child, name);
      var italic = !ctx.plain && !ctx.italic && isItalic(child, name);
      var inner = inline(child, { plain: ctx.plain, bold: ctx.bold || bold, italic: ctx.italic || italic });
      if (italic) { inner = wrap(inner, "*"); }
      if (bold) { inner = wrap(inner, "**"); }
      out += inner;
    });
    return out;
  }
  function lines(text) {
    return text.split("\n").map(function (line) { return line.replace(/ {2,}/g, " ").trim(); })
      .filter(function (line) { return line; });
  }

  var WORD_BULLET = /^\s*([·•▪■□◦o§Øüv➢→\-–—]|\(?[0-9]{1,3}[.)]|\(?[a-zA-Z][.)]|[ivxlcIVXLC]{1,6}[.)])(\s+|$)/;
  var ORDERED = /^\(?([0-9]{1,3}|[a-zA-Z]|[ivxlcIVXLC]{1,6})[.)]$/;
  function isWordHeading(node) {
    return /(^|\s)Mso(Heading|Title|Subtitle)/i.test(attr(node, "class")) || /mso-outline-level:\d/.test(styleOf(node));
  }
  function isWordListItem(node) {
    return /(^|\s)MsoListParagraph/i.test(attr(node, "class")) || /mso-list:l\d/.test(styleOf(node));
  }

  /* Formatted text (HTML from Word, a web page or a mail) as Markdown: headings as "### ",
     bold and italics, bulleted and numbered lists (HTML ones and Word's list paragraphs),
     paragraphs apart by a blank line; the rest as plain, escaped text. */
  function markdownFromHtml(html) {
    var doc = parse(String(html || ""));
    var blocks = [];  /* {text, item: depth or -1, ordered} */
    var pending = "";
    function flush() {
      lines(pending).length && blocks.push({ text: lines(pending).map(escapeLineStart).join("\n"), item: -1 });
      pending = "";
    }
    function heading(node) {
      flush();
      var text = lines(inline(node, { plain: true })).join(" ");
      if (text) { blocks.push({ text: "### " + text, item: -1 }); }
    }
    function item(text, depth, ordered) {
      flush();
      var body = lines(text).join(" ");
      if (body) { blocks.push({ text: escapeLineStart(body), item: depth, ordered: ordered }); }
    }
    function wordItem(node) {
      var marker = "";
      var ignore = Array.prototype.filter.call(node.querySelectorAll("[data-style]"), function (n) {
        return /mso-list:ignore/.test(styleOf(n));
      })[0];
      var text = inline(node, {});
      if (ignore) { marker = collapse(ignore.textContent).trim(); }
      else {
        var m = WORD_BULLET.exec(text.replace(/\\/g, ""));
        if (m) { marker = m[1]; text = text.replace(/^\s*\S+\s*/, ""); }
      }
      var level = /level(\d+)/.exec(styleOf(node));
      item(text, level ? Number(level[1]) - 1 : 0, ORDERED.test(marker));
    }
    function walk(node, depth) {
      Array.prototype.forEach.call(node.childNodes, function (child) {
        if (child.nodeType === 3) { pending += escapeInline(collapse(child.textContent)); return; }
        var name = tag(child);
        if (!name || SKIPPED[name]) { return; }
        if (!BLOCKS[name] && name !== "br") {
          if (child.querySelector && child.querySelector("p, div, h1, h2, h3, h4, h5, h6, ul, ol, table, li")) {
            walk(child, depth);  /* an inline wrapper around blocks (Google Docs' <b>) */
          } else {
            pending += inline({ childNodes: [child] }, {});
          }
          return;
        }
        if (name === "br") { pending += "\n"; return; }
        if (/^h[1-6]$/.test(name) || isWordHeading(child)) { heading(child); return; }
        if (isWordListItem(child)) { wordItem(child); return; }
        if (name === "ul" || name === "ol") {
          flush();
          Array.prototype.forEach.call(child.children, function (li) {
            if (tag(li) !== "li") { walk(li, depth + 1); return; }
            var nested = Array.prototype.filter.call(li.children, function (n) { return tag(n) === "ul" || tag(n) === "ol"; });
            nested.forEach(function (n) { n.remove(); });
            item(inline(li, {}), depth + 1, name === "ol");
            nested.forEach(function (n) { walk({ childNodes: [n] }, depth + 1); });
          });
          return;
        }
        if (name === "tr") {
          flush();
          var cells = Array.prototype.map.call(child.cells, function (td) { return lines(inline(td, {})).join(" "); });
          pending = cells.filter(function (c) { return c; }).join(" · ");
          flush();
          return;
        }
        flush();
        walk(child, depth);
        flush();
      });
    }
    walk(doc.body, -1);
    flush();
    var out = "";
    var counters = [];
    blocks.forEach(function (b, i) {
      var before = blocks[i - 1];
      if (i) { out += before.item >= 0 && b.item >= 0 ? "\n" : "\n\n"; }
      if (b.item < 0) { counters = []; out += b.text; return; }
      counters = counters.slice(0, b.item + 1);
      counters[b.item] = (counters[b.item] || 0) + 1;
      out += new Array(b.item + 1).join("    ") + (b.ordered ? counters[b.item] + ". " : "- ") + b.text;
    });
    return out;
  }

  /* The paste handler of a Markdown field: formatted text goes in as Markdown at the caret. */
  function pasteMarkdown(event) {
    var field = event.target;
    var data = event.clipboardData;
    var html = data && data.getData("text/html");
    if (!html || typeof field.setRangeText !== "function") { return; }
    var text = markdownFromHtml(html);
    if (!text) { return; }
    event.preventDefault();
    var start = field.selectionStart;
    var end = field.selectionEnd;
    /* Paragraphs, headings and lists stand apart from the text around the caret. */
    if (/\n/.test(text) || /^(### |- |\d+\. )/.test(text)) {
      var before = field.value.slice(0, start);
      var after = field.value.slice(end);
      if (before && !/\n\n$/.test(before)) { text = (/\n$/.test(before) ? "\n" : "\n\n") + text; }
      if (after && !/^\n\n/.test(after)) { text += /^\n/.test(after) ? "\n" : "\n\n"; }
    }
    field.setRangeText(text, start, end, "end");
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  /* Says a paste's result to screen readers, in a polite live region beside `root`. */
  function announce(root, text) {
    if (!text || !root || !root.parentNode) { return; }
    var region = document.getElementById("be-paste-status");
    if (!region) {
      region = document.createElement("p");
      region.id = "be-paste-status";
      region.className = "visually-hidden";
      region.setAttribute("aria-live", "polite");
      root.parentNode.insertBefore(region, root.nextSibling);
    }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  window.QmsPaste = {
    tableFromClipboard: tableFromClipboard,
    markdownFromHtml: markdownFromHtml,
    fillRows: fillRows,
    pasteRows: pasteRows,
    pasteMarkdown: pasteMarkdown,
    announce: announce
  };
}());
