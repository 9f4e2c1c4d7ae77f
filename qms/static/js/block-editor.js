/* Block editor of a draft: builds an editor per block from the hidden content_json field and
   writes the blocks back into it before the form is sent. Without this script the page's
   server-side editor (#fallback-editor) is used instead. No inline handlers or styles (CSP).
   Every kind's fields (keys, labels, inputs, choices, empty values) come from the server's
   declaration in #block-editor-config: this script names no field of any kind. */
(function () {
  "use strict";
  var form = document.getElementById("content");
  var store = document.getElementById("content_json");
  var configNode = document.getElementById("block-editor-config");
  var root = document.getElementById("block-editor");
  var errorBox = document.getElementById("block-editor-errors");
  if (!form || !store || !configNode || !root || !errorBox) { return; }
  var config, blocks;
  try {
    config = JSON.parse(configNode.textContent);
    blocks = JSON.parse(store.value);
  } catch (error) { return; }
  if (!Array.isArray(blocks)) { return; }
  var T = config.text;
  var LABELS = {};
  var KINDS = {};
  config.kinds.forEach(function (k) { LABELS[k.kind] = k.label; KINDS[k.kind] = k; });
  var jsonText = {};  /* block index → text of a JSON editor, parsed on save */
  var PASTE = window.QmsPaste;  /* paste.js, loaded before this script */
  var FORMAT = window.QmsFormat;  /* format-toolbar.js, loaded before this script */

  function fmt(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (m, key) { return values[key]; });
  }
  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === "text") { node.textContent = props[key]; }
      else if (key === "aria") { node.setAttribute("aria-label", props[key]); }
      else if (key === "for") { node.htmlFor = props[key]; }
      else { node[key] = props[key]; }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }
  function button(text, id, aria, action, extra) {
    var b = el("button", { type: "button", id: id, text: text, className: extra || "" });
    if (aria) { b.setAttribute("aria-label", aria); }
    b.addEventListener("click", action);
    return b;
  }
  function focusFirst(ids) {
    for (var i = 0; i < ids.length; i += 1) {
      var node = ids[i] && document.getElementById(ids[i]);
      if (node) {
        if (node.tagName === "SECTION" || node.tagName === "TR" || node.tagName === "FIELDSET") {
          node = node.querySelector("input, textarea, select") || node.querySelector("button") || node;
        }
        node.focus();
        return;
      }
    }
  }
  function move(list, index, by) {
    var target = index + by;
    if (target < 0 || target >= list.length) { return false; }
    var item = list[index];
    list[index] = list[target];
    list[target] = item;
    return true;
  }

  /* One input bound to obj[key]; `type` picks the control: "input" (one line), "cell" (a few
     lines), "long" (Markdown), "choice", "flag", "lines" (a list, one item per line). */
  function control(type, obj, key, id, aria, choices, showValue) {
    var node;
    if (type === "choice") {
      node = el("select", { id: id, aria: aria });
      choices.forEach(function (pair) {
        var text = showValue ? pair[0] + " · " + pair[1] : pair[1];
        node.appendChild(el("option", { value: pair[0], text: text }));
      });
      node.value = obj[key] || choices[0][0];
      obj[key] = node.value;
      node.addEventListener("change", function () { obj[key] = node.value; });
    } else if (type === "flag") {
      node = el("input", { type: "checkbox", id: id, aria: aria, checked: !!obj[key] });
      node.addEventListener("change", function () { obj[key] = node.checked; });
    } else if (type === "lines") {
      node = el("textarea", { id: id, aria: aria, rows: 2, value: (obj[key] || []).join("\n") });
      node.addEventListener("input", function () {
        obj[key] = node.value.split("\n").map(function (s) { return s.trim(); })
          .filter(function (s) { return s; });
      });
    } else {
      node = el(type === "input" ? "input" : "textarea", { id: id, aria: aria });
      if (type !== "input") { node.rows = type === "long" ? 4 : 2; }
      node.value = obj[key] == null ? "" : String(obj[key]);
      node.addEventListener("input", function () { obj[key] = node.value; });
    }
    return node;
  }
  function labelled(type, obj, key, id, text) {
    return el("div", { className: "field" }, [el("label", { for: id, text: text }),
      control(type, obj, key, id, null)]);
  }
  /* The control of a declared field: its input kind as the server names it. */
  var CONTROLS = { line: "input", text: "cell", markdown: "long", choice: "choice", flag: "flag", list: "lines" };
  function fieldControl(f, obj, id, aria) {
    var node = control(CONTROLS[f.input] || "cell", obj, f.key, id, aria, f.choices, f.showValue);
    if (f.input === "markdown" && PASTE) { node.addEventListener("paste", PASTE.pasteMarkdown); }
    if (f.input === "markdown" && FORMAT) { return FORMAT.attach(node, T); }
    return node;
  }
  /* A table pasted from Word or Excel into a row editor fills its rows (paste.js). */
  function pasteInto(node, target) {
    if (!PASTE) { return node; }
    node.addEventListener("paste", function (event) {
      var done = PASTE.pasteRows(event, target);
      if (!done) { return; }
      render([done.focus]);
      PASTE.announce(root, T.pastedRows && fmt(T.pastedRows, { n: done.rows }));
    });
    return node;
  }
  function fieldLabelled(f, obj, id) {
    return el("div", { className: "field" }, [el("label", { for: id, text: f.label }),
      fieldControl(f, obj, id, null)]);
  }
  function emptyOf(f) { return JSON.parse(JSON.stringify(f.empty)); }
  function rowButtons(list, r, base, words, focusKey) {
    var n = r + 1;
    var cell = el("div", { className: "actions row-actions" });
    var go = function (by, name) {
      return function () {
        if (move(list, r, by)) { render([base + "-" + (r + by) + "-" + name]); }
      };
    };
    if (r > 0) { cell.appendChild(button(T.up, base + "-" + r + "-up", fmt(words[0], { n: n }), go(-1, "up"))); }
    if (r < list.length - 1) {
      cell.appendChild(button(T.down, base + "-" + r + "-down", fmt(words[1], { n: n }), go(1, "down")));
    }
    cell.appendChild(button(T.remove, base + "-" + r + "-remove", fmt(words[2], { n: n }), function () {
      list.splice(r, 1);
      render([base + "-" + r + "-" + focusKey, base + "-" + (r - 1) + "-" + focusKey, base + "-add"]);
    }, "danger"));
    return cell;
  }
  var ROW_WORDS = [T.moveRowUp, T.moveRowDown, T.removeRow];

  /* Rows as a grid of inputs; `cols` are declared fields ({key, label, input, choices}). */
  function grid(b, rows, cols, base, newRow) {
    var head = el("tr", {}, cols.map(function (c) { return el("th", { scope: "col", text: c.label }); }));
    head.appendChild(el("th", { scope: "col", text: T.actions }));
    var body = el("tbody");
    rows.forEach(function (row, r) {
      var label = fmt(T.row, { n: r + 1 });
      var tr = el("tr", { id: base + "-" + r });
      cols.forEach(function (c) {
        tr.appendChild(el("td", {}, [fieldControl(c, row, base + "-" + r + "-" + c.key, c.label + " · " + label)]));
      });
      tr.appendChild(el("td", {}, [rowButtons(rows, r, base, ROW_WORDS, cols[0].key)]));
      body.appendChild(tr);
    });
    var wrap = el("div", { className: "table-wrap" }, [el("table", { className: "list editor-grid" },
      [el("thead", {}, [head]), body])]);
    var add = button(T.addRow, base + "-add", null, function () {
      rows.push(newRow());
      render([base + "-" + (rows.length - 1)]);
    });
    return el("div", {}, [rows.length ? wrap : el("p", { className: "muted", text: T.noRows }),
      el("div", { className: "actions" }, [add])]);
  }
  function emptyRow(fields) {
    var row = {};
    fields.forEach(function (f) { row[f.key] = emptyOf(f); });
    return row;
  }

  function stringList(list, base, legend, itemWord) {
    var fs = el("fieldset", { className: "checks string-list", id: base }, [el("legend", { text: legend })]);
    var ul = el("ul", { className: "plain" });
    list.forEach(function (value, i) {
      var holder = { v: value };
      var input = control("input", holder, "v", base + "-" + i + "-v", fmt(itemWord, { n: i + 1 }));
      input.addEventListener("input", function () { list[i] = input.value; });
      ul.appendChild(el("li", { className: "actions" }, [input, rowButtons(list, i, base,
        [T.moveRowUp, T.moveRowDown, T.removeItem], "v")]));
    });
    fs.appendChild(ul);
    fs.appendChild(button(T.addItem, base + "-add", legend + " · " + T.addItem, function () {
      list.push("");
      render([base + "-" + (list.length - 1) + "-v"]);
    }));
    return fs;
  }

  /* ISO 9001 clause numbers held in block[key]: a checkbox per clause of the catalogue. */
  function isoPicker(block, key, base, legend) {
    if (!config.iso.length) {
      var holder = { v: block[key].join(", ") };
      var field = labelled("input", holder, "v", base, T.isoNumbers);
      field.querySelector("input").addEventListener("input", function (event) {
        block[key] = event.target.value.split(/[\s,;]+/).filter(function (s) { return s; });
      });
      return field;
    }
    var fs = el("fieldset", { className: "checks iso-clauses", id: base }, [el("legend", { text: legend })]);
    var known = config.iso.map(function (c) { return c.number; });
    var extra = block[key].filter(function (n) { return known.indexOf(n) < 0; });
    config.iso.concat(extra.map(function (n) { return { number: n, title: "" }; })).forEach(function (c, i) {
      var id = base + "-" + i;
      var box = el("input", { type: "checkbox", id: id, value: c.number, checked: block[key].indexOf(c.number) >= 0 });
      box.addEventListener("change", function () {
        block[key] = block[key].filter(function (n) { return n !== c.number; });
        if (box.checked) { block[key].push(c.number); }
      });
      fs.appendChild(el("div", { className: "field-check" }, [box, el("label", { for: id, text: (c.number + " " + c.title).trim() })]));
    });
    return fs;
  }

  /* A step's declared fields: the first is its number (what decisions go to), the second
     what it does (named beside the number in the targets); the "decision" input holds
     {question, yes, no}, the numbers of the steps it goes to. */
  function stepParts(spec) {
    var decision = spec.fields.filter(function (f) { return f.input === "decision"; })[0];
    return { number: spec.fields[0].key, name: spec.fields[1].key, decision: decision,
      fields: spec.fields.filter(function (f) { return f !== decision; }) };
  }
  function stepsEditor(steps, spec, base) {
    var P = stepParts(spec);
    var num = P.number;
    var dk = P.decision.key;
    var wrap = el("div", { className: "steps-editor" });
    var selects = [];
    function fillTargets() {
      selects.forEach(function (s) {
        var current = s.model[dk][s.key];
        s.node.textContent = "";
        s.node.appendChild(el("option", { value: "", text: T.chooseStep }));
        steps.forEach(function (other) {
          if (other !== s.model && other[num]) { s.node.appendChild(el("option", { value: other[num], text: other[num] + " · " + (other[P.name] || "") })); }
        });
        s.node.value = current || "";
      });
    }
    steps.forEach(function (step, r) {
      var id = base + "-" + r;
      var fs = el("fieldset", { className: "card step", id: id }, [el("legend", { text: fmt(T.step, { n: r + 1 }) })]);
      var fields = P.fields.map(function (f) { return fieldLabelled(f, step, id + "-" + f.key); });
      var idInput = fields[0].querySelector("input");
      var before = step[num];
      idInput.addEventListener("focus", function () { before = step[num]; });
      idInput.addEventListener("change", function () {
        steps.forEach(function (other) {
          if (other[dk] && before) {
            if (other[dk].yes === before) { other[dk].yes = step[num]; }
            if (other[dk].no === before) { other[dk].no = step[num]; }
          }
        });
        fillTargets();
      });
      fs.appendChild(el("div", { className: "step-grid" }, fields));
      var toggle = el("input", { type: "checkbox", id: id + "-" + dk, checked: !!step[dk] });
      toggle.addEventListener("change", function () {
        step[dk] = toggle.checked ? { question: "", yes: "", no: "" } : null;
        render([id + (toggle.checked ? "-question" : "-" + dk)]);
      });
      fs.appendChild(el("div", { className: "field-check" }, [toggle, el("label", { for: id + "-" + dk, text: P.decision.label })]));
      if (step[dk]) {
        var d = el("div", { className: "step-grid decision" }, [labelled("input", step[dk], "question", id + "-question", T.question)]);
        ["yes", "no"].forEach(function (key) {
          var select = el("select", { id: id + "-" + key });
          select.addEventListener("change", function () { step[dk][key] = select.value; });
          selects.push({ node: select, model: step, key: key });
          d.appendChild(el("div", { className: "field" }, [el("label", { for: select.id, text: T[key] }), select]));
        });
        fs.appendChild(d);
      }
      fs.appendChild(rowButtons(steps, r, base, [T.moveStepUp, T.moveStepDown, T.removeStep], num));
      wrap.appendChild(fs);
    });
    fillTargets();
    function newStep() {
      var used = steps.map(function (s) { return s[num]; });
      var next = steps.length + 1;
      while (used.indexOf(String(next)) >= 0) { next += 1; }
      var step = emptyRow(spec.fields);
      step[num] = String(next);
      return step;
    }
    wrap.appendChild(el("div", { className: "actions" }, [button(T.addStep, base + "-add", null, function () {
      steps.push(newStep());
      render([base + "-" + (steps.length - 1) + "-" + P.name]);
    })]));
    return pasteInto(wrap, { rows: steps, fields: P.fields, base: base, newRow: newStep, keep: [num],
      maxRows: spec.maxRows });
  }

  /* The free table: its first declared field the column names, its second the rows. */
  function tableEditor(block, spec, base) {
    var columns = block[spec.fields[0].key];
    var rows = block[spec.fields[1].key];
    var cols = columns.map(function (name, i) { return { key: i, label: name || fmt(T.column, { n: i + 1 }), input: "text" }; });
    var header = el("div", { className: "actions table-columns" });
    columns.forEach(function (name, i) {
      header.appendChild(control("input", columns, i, base + "-col-" + i, fmt(T.column, { n: i + 1 })));
    });
    function addColumn() {
      columns.push("");
      rows.forEach(function (row) { row.push(""); });
    }
    header.appendChild(button(T.addColumn, base + "-addcol", null, function () {
      addColumn();
      render([base + "-col-" + (columns.length - 1)]);
    }));
    if (columns.length > 1) {
      header.appendChild(button(T.removeColumn, base + "-delcol", null, function () {
        columns.pop();
        rows.forEach(function (row) { row.pop(); });
        render([base + "-delcol", base + "-addcol"]);
      }));
    }
    var newRow = function () { return columns.map(function () { return ""; }); };
    return pasteInto(el("div", {}, [header, grid(block, rows, cols, base + "-rows", newRow)]), {
      rows: rows, columns: columns, base: base + "-rows", columnsBase: base + "-col-",
      newRow: newRow, addColumn: addColumn, maxColumns: spec.maxColumns, maxRows: spec.maxRows });
  }

  /* A declared field that holds a list: an array, whatever was stored. */
  function listOf(obj, key) {
    if (!Array.isArray(obj[key])) { obj[key] = []; }
    return obj[key];
  }
  /* The fields of a block one under another: texts, clause pickers, lists of texts. */
  function formEditor(block, spec, base) {
    return spec.fields.map(function (f) {
      var id = base + "-" + f.key;
      if (f.input === "clauses") { listOf(block, f.key); return isoPicker(block, f.key, id, f.label); }
      if (f.input === "list") { return stringList(listOf(block, f.key), id, f.label, f.item || T.item); }
      return fieldLabelled(f, block, id);
    });
  }

  function blockBody(block, b) {
    var base = "be-" + b;
    var spec = KINDS[block.kind];
    var editor = spec ? spec.editor : "json";
    var parts = [];
    if (spec && spec.titled) {
      parts.push(labelled("input", block, "title", base + "-title", T.title));
    }
    if (editor === "text") {
      parts = parts.concat(spec.fields.map(function (f) { return fieldLabelled(f, block, base + "-" + f.key); }));
    } else if (editor === "grid") {
      var rows = listOf(block, spec.rows);
      var newRow = function () { return emptyRow(spec.fields); };
      parts.push(pasteInto(grid(block, rows, spec.fields, base + "-rows", newRow),
        { rows: rows, fields: spec.fields, base: base + "-rows", newRow: newRow, maxRows: spec.maxRows }));
    } else if (editor === "steps") {
      parts.push(stepsEditor(listOf(block, spec.rows), spec, base + "-steps"));
    } else if (editor === "table") {
      var columns = listOf(block, spec.fields[0].key);
      if (!columns.length) { columns.push(""); }
      listOf(block, spec.fields[1].key);
      parts.push(tableEditor(block, spec, base));
    } else if (editor === "form") {
      parts = parts.concat(formEditor(block, spec, base));
    } else {
      var holder = { v: jsonText.hasOwnProperty(b) ? jsonText[b] : JSON.stringify(block, null, 2) };
      jsonText[b] = holder.v;
      var field = labelled("long", holder, "v", base + "-json", T.json);
      field.querySelector("textarea").addEventListener("input", function (e) { jsonText[b] = e.target.value; });
      parts.push(field);
    }
    return parts;
  }

  function render(focusIds) {
    root.textContent = "";
    if (!blocks.length) { root.appendChild(el("p", { className: "muted", text: T.noBlocks })); }
    blocks.forEach(function (block, b) {
      var base = "be-" + b;
      var n = b + 1;
      var title = el("h2", { id: base + "-heading", text: fmt(T.block, { n: n }) + " · " + (LABELS[block.kind] || block.kind) });
      var actions = el("div", { className: "actions" });
      var go = function (by, name) {
        return function () {
          if (!move(blocks, b, by)) { return; }
          var mine = jsonText[b];
          var theirs = jsonText[b + by];
          delete jsonText[b];
          delete jsonText[b + by];
          if (theirs !== undefined) { jsonText[b] = theirs; }
          if (mine !== undefined) { jsonText[b + by] = mine; }
          { render(["be-" + (b + by) + "-" + name, "be-" + (b + by) + "-" + (name === "up" ? "down" : "up")]); }
        };
      };
      if (b > 0) { actions.appendChild(button(T.up, base + "-up", fmt(T.moveBlockUp, { n: n }), go(-1, "up"))); }
      if (b < blocks.length - 1) { actions.appendChild(button(T.down, base + "-down", fmt(T.moveBlockDown, { n: n }), go(1, "down"))); }
      actions.appendChild(button(T.remove, base + "-remove", fmt(T.removeBlock, { n: n }), function () {
        blocks.splice(b, 1);
        var shifted = {};
        Object.keys(jsonText).forEach(function (k) { var i = Number(k); if (i !== b) { shifted[i > b ? i - 1 : i] = jsonText[k]; } });
        jsonText = shifted;
        render(["be-" + b + "-heading", "be-" + (b - 1) + "-heading", "be-add-kind"]);
      }, "button danger"));
      var section = el("section", { className: "card doc-editor-block", id: base }, [
        el("div", { className: "page-head" }, [title, actions])].concat(blockBody(block, b)));
      section.setAttribute("aria-labelledby", title.id);
      title.tabIndex = -1;
      root.appendChild(section);
    });
    var select = el("select", { id: "be-add-kind" });
    config.kinds.forEach(function (k) { select.appendChild(el("option", { value: k.kind, text: k.label })); });
    root.appendChild(el("section", { className: "card add-block" }, [el("div", { className: "actions" }, [
      el("label", { for: "be-add-kind", text: T.addBlockOfKind }), select,
      button(T.addBlock, "be-add-block", null, function () {
        blocks.push(JSON.parse(JSON.stringify(config.empty[select.value] || { kind: select.value })));
        render(["be-" + (blocks.length - 1)]);
      })])]));
    focusFirst(focusIds || []);
  }

  function problems() {
    var found = [];
    blocks.forEach(function (block, b) {
      var n = b + 1;
      if (jsonText.hasOwnProperty(b)) {
        try { blocks[b] = JSON.parse(jsonText[b]); } catch (e) { found.push([fmt(T.badJson, { n: n }), "be-" + b + "-json"]); }
      }
      var spec = KINDS[block.kind];
      if (!spec || spec.editor !== "steps") { return; }
      var P = stepParts(spec);
      var num = P.number;
      var dk = P.decision.key;
      var seen = {};
      block[spec.rows].forEach(function (step, r) {
        var at = "be-" + b + "-steps-" + r;
        if (!String(step[num] || "").trim()) { found.push([fmt(T.stepIdMissing, { n: n, row: r + 1 }), at + "-" + num]); }
        else if (seen[step[num]]) { found.push([fmt(T.stepIdTwice, { n: n, id: step[num] }), at + "-" + num]); }
        seen[step[num]] = true;
        if (step[dk] && (!step[dk].yes || !step[dk].no)) {
          found.push([fmt(T.decisionTarget, { n: n, row: r + 1 }), at + "-yes"]);
        }
      });
    });
    return found;
  }

  form.addEventListener("submit", function (event) {
    var found = problems();
    errorBox.textContent = "";
    if (found.length) {
      event.preventDefault();
      errorBox.appendChild(el("p", { text: T.fixFirst }));
      errorBox.appendChild(el("ul", {}, found.map(function (p) {
        return el("li", {}, [el("a", { href: "#" + p[1], text: p[0] })]);
      })));
      errorBox.hidden = false;
      errorBox.focus();
      return;
    }
    errorBox.hidden = true;
    store.value = JSON.stringify(blocks);
  });

  var fallback = document.getElementById("fallback-editor");
  if (fallback) { fallback.remove(); }
  store.disabled = false;
  root.hidden = false;
  render([]);
}());
