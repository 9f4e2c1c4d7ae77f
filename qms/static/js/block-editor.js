/* Block editor of a draft: builds an editor per block from the hidden content_json field and
   writes the blocks back into it before the form is sent. Without this script the page's
   server-side editor (#fallback-editor) is used instead. No inline handlers or styles (CSP). */
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
  config.kinds.forEach(function (k) { LABELS[k.kind] = k.label; });
  var GRIDS = {
    sipoc: ["rows", ["phase", "suppliers", "inputs", "activity", "outputs", "clients"]],
    indicators: ["rows", ["name", "formula", "target", "frequency", "responsible"]],
    controls: ["rows", ["activity", "variable", "criterion", "responsible", "frequency",
      "evidence", "action"]],
    form_fields: ["fields", ["label", "type", "required", "options"]]
  };
  var LISTS = { related: ["codes"], requirements: ["legal", "internal"] };
  var jsonText = {};  /* block index → text of a JSON editor, parsed on save */

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

  /* One input bound to obj[key]; `type` picks the control. */
  function control(type, obj, key, id, aria) {
    var node;
    if (type === "phase" || type === "type") {
      var names = type === "phase" ? T.phases : T.fieldTypes;
      node = el("select", { id: id, aria: aria });
      names.forEach(function (pair) {
        var text = type === "phase" ? pair[0] + " · " + pair[1] : pair[1];
        node.appendChild(el("option", { value: pair[0], text: text }));
      });
      node.value = obj[key] || names[0][0];
      obj[key] = node.value;
      node.addEventListener("change", function () { obj[key] = node.value; });
    } else if (type === "required") {
      node = el("input", { type: "checkbox", id: id, aria: aria, checked: !!obj[key] });
      node.addEventListener("change", function () { obj[key] = node.checked; });
    } else if (type === "options") {
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

  /* Rows as a grid of inputs; `cols` are [key, label, type]. */
  function grid(b, rows, cols, base, newRow) {
    var head = el("tr", {}, cols.map(function (c) { return el("th", { scope: "col", text: c[1] }); }));
    head.appendChild(el("th", { scope: "col", text: T.actions }));
    var body = el("tbody");
    rows.forEach(function (row, r) {
      var label = fmt(T.row, { n: r + 1 });
      var tr = el("tr", { id: base + "-" + r });
      cols.forEach(function (c) {
        tr.appendChild(el("td", {}, [control(c[2], row, c[0], base + "-" + r + "-" + c[0], c[1] + " · " + label)]));
      });
      tr.appendChild(el("td", {}, [rowButtons(rows, r, base, ROW_WORDS, cols[0][0])]));
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
  function rowType(key) {
    return { phase: "phase", type: "type", required: "required", options: "options" }[key] || "cell";
  }
  function emptyRow(keys) {
    var row = {};
    var first = { phase: "P", type: "text", required: false };
    keys.forEach(function (k) { row[k] = first.hasOwnProperty(k) ? first[k] : ""; });
    if (keys.indexOf("options") >= 0) { row.options = []; }
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

  function isoPicker(block, base) {
    if (!config.iso.length) {
      var holder = { v: block.iso.join(", ") };
      var field = labelled("input", holder, "v", base + "-iso", T.isoNumbers);
      field.querySelector("input").addEventListener("input", function (event) {
        block.iso = event.target.value.split(/[\s,;]+/).filter(function (s) { return s; });
      });
      return field;
    }
    var fs = el("fieldset", { className: "checks iso-clauses", id: base + "-iso" }, [el("legend", { text: T.iso })]);
    var known = config.iso.map(function (c) { return c.number; });
    var extra = block.iso.filter(function (n) { return known.indexOf(n) < 0; });
    config.iso.concat(extra.map(function (n) { return { number: n, title: "" }; })).forEach(function (c, i) {
      var id = base + "-iso-" + i;
      var box = el("input", { type: "checkbox", id: id, value: c.number, checked: block.iso.indexOf(c.number) >= 0 });
      box.addEventListener("change", function () {
        block.iso = block.iso.filter(function (n) { return n !== c.number; });
        if (box.checked) { block.iso.push(c.number); }
      });
      fs.appendChild(el("div", { className: "field-check" }, [box, el("label", { for: id, text: (c.number + " " + c.title).trim() })]));
    });
    return fs;
  }

  function stepsEditor(block, base) {
    var steps = block.steps;
    var wrap = el("div", { className: "steps-editor" });
    var selects = [];
    function fillTargets() {
      selects.forEach(function (s) {
        var current = s.model.decision[s.key];
        s.node.textContent = "";
        s.node.appendChild(el("option", { value: "", text: T.chooseStep }));
        steps.forEach(function (other) {
          if (other !== s.model && other.id) { s.node.appendChild(el("option", { value: other.id, text: other.id + " · " + (other.task || "") })); }
        });
        s.node.value = current || "";
      });
    }
    steps.forEach(function (step, r) {
      var id = base + "-" + r;
      var fs = el("fieldset", { className: "card step", id: id }, [el("legend", { text: fmt(T.step, { n: r + 1 }) })]);
      var idField = labelled("input", step, "id", id + "-id", T.stepId);
      var idInput = idField.querySelector("input");
      var before = step.id;
      idInput.addEventListener("focus", function () { before = step.id; });
      idInput.addEventListener("change", function () {
        steps.forEach(function (other) {
          if (other.decision && before) {
            if (other.decision.yes === before) { other.decision.yes = step.id; }
            if (other.decision.no === before) { other.decision.no = step.id; }
          }
        });
        fillTargets();
      });
      var grid2 = el("div", { className: "step-grid" }, [idField,
        labelled("cell", step, "task", id + "-task", T.task), labelled("cell", step, "who", id + "-who", T.who),
        labelled("cell", step, "how", id + "-how", T.how), labelled("cell", step, "records", id + "-records", T.records),
        labelled("input", step, "form_code", id + "-form_code", T.formCode)]);
      fs.appendChild(grid2);
      var toggle = el("input", { type: "checkbox", id: id + "-decision", checked: !!step.decision });
      toggle.addEventListener("change", function () {
        step.decision = toggle.checked ? { question: "", yes: "", no: "" } : null;
        render([id + (toggle.checked ? "-question" : "-decision")]);
      });
      fs.appendChild(el("div", { className: "field-check" }, [toggle, el("label", { for: id + "-decision", text: T.isDecision })]));
      if (step.decision) {
        var d = el("div", { className: "step-grid decision" }, [labelled("input", step.decision, "question", id + "-question", T.question)]);
        ["yes", "no"].forEach(function (key) {
          var select = el("select", { id: id + "-" + key });
          select.addEventListener("change", function () { step.decision[key] = select.value; });
          selects.push({ node: select, model: step, key: key });
          d.appendChild(el("div", { className: "field" }, [el("label", { for: select.id, text: T[key] }), select]));
        });
        fs.appendChild(d);
      }
      fs.appendChild(rowButtons(steps, r, base, [T.moveStepUp, T.moveStepDown, T.removeStep], "id"));
      wrap.appendChild(fs);
    });
    fillTargets();
    wrap.appendChild(el("div", { className: "actions" }, [button(T.addStep, base + "-add", null, function () {
      var used = steps.map(function (s) { return s.id; });
      var next = steps.length + 1;
      while (used.indexOf(String(next)) >= 0) { next += 1; }
      steps.push({ id: String(next), task: "", who: "", how: "", records: "", form_code: "", decision: null });
      render([base + "-" + (steps.length - 1) + "-task"]);
    })]));
    return wrap;
  }

  function tableEditor(block, base) {
    var cols = block.columns.map(function (name, i) { return [i, name || fmt(T.column, { n: i + 1 }), "cell"]; });
    var header = el("div", { className: "actions table-columns" });
    block.columns.forEach(function (name, i) {
      header.appendChild(control("input", block.columns, i, base + "-col-" + i, fmt(T.column, { n: i + 1 })));
    });
    header.appendChild(button(T.addColumn, base + "-addcol", null, function () {
      block.columns.push("");
      block.rows.forEach(function (row) { row.push(""); });
      render([base + "-col-" + (block.columns.length - 1)]);
    }));
    if (block.columns.length > 1) {
      header.appendChild(button(T.removeColumn, base + "-delcol", null, function () {
        block.columns.pop();
        block.rows.forEach(function (row) { row.pop(); });
        render([base + "-delcol", base + "-addcol"]);
      }));
    }
    return el("div", {}, [header, grid(block, block.rows, cols, base + "-rows", function () {
      return block.columns.map(function () { return ""; });
    })]);
  }

  function blockBody(block, b) {
    var base = "be-" + b;
    var parts = [];
    if (GRIDS[block.kind] || ["table", "steps", "requirements", "resources", "related"].indexOf(block.kind) >= 0) {
      parts.push(labelled("input", block, "title", base + "-title", T.title));
    }
    var spec = GRIDS[block.kind];
    if (block.kind === "text") { parts.push(labelled("long", block, "text", base + "-text", T.text)); }
    else if (spec) {
      if (!Array.isArray(block[spec[0]])) { block[spec[0]] = []; }
      var cols = spec[1].map(function (k) { return [k, k === "type" ? T.type : T[k], rowType(k)]; });
      parts.push(grid(block, block[spec[0]], cols, base + "-rows", function () { return emptyRow(spec[1]); }));
    } else if (block.kind === "steps") {
      if (!Array.isArray(block.steps)) { block.steps = []; }
      parts.push(stepsEditor(block, base + "-steps"));
    } else if (block.kind === "table") {
      if (!Array.isArray(block.columns) || !block.columns.length) { block.columns = [""]; }
      if (!Array.isArray(block.rows)) { block.rows = []; }
      parts.push(tableEditor(block, base));
    } else if (block.kind === "resources") {
      ["human", "physical", "technological", "environment"].forEach(function (k) {
        parts.push(labelled("cell", block, k, base + "-" + k, T[k]));
      });
    } else if (LISTS[block.kind]) {
      if (block.kind === "requirements") {
        if (!Array.isArray(block.iso)) { block.iso = []; }
        parts.push(isoPicker(block, base));
      }
      LISTS[block.kind].forEach(function (k) {
        if (!Array.isArray(block[k])) { block[k] = []; }
        parts.push(stringList(block[k], base + "-" + k, T[k], block.kind === "related" ? T.code : T.item));
      });
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
      if (block.kind !== "steps") { return; }
      var seen = {};
      block.steps.forEach(function (step, r) {
        var at = "be-" + b + "-steps-" + r;
        if (!String(step.id || "").trim()) { found.push([fmt(T.stepIdMissing, { n: n, row: r + 1 }), at + "-id"]); }
        else if (seen[step.id]) { found.push([fmt(T.stepIdTwice, { n: n, id: step.id }), at + "-id"]); }
        seen[step.id] = true;
        if (step.decision && (!step.decision.yes || !step.decision.no)) {
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
