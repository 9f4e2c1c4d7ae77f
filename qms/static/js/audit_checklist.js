/* Checklist of an audit on a tablet: each question's answer form is sent on its own with fetch
   (Accept: application/json) instead of reloading the page. An answer that could not be sent
   (no connection, server unreachable) is kept in localStorage and sent again when the
   connection comes back, or when the page is opened again: nothing typed is lost. Without this
   script the forms post normally. No inline handlers or styles (CSP). */
(function () {
  "use strict";
  var configNode = document.getElementById("checklist-config");
  var forms = document.querySelectorAll("form.answer-form[data-question]");
  if (!configNode || !forms.length || !window.fetch || !window.FormData) { return; }
  var config;
  try { config = JSON.parse(configNode.textContent); } catch (error) { return; }
  var T = config.text;
  var banner = document.getElementById("checklist-pending");
  var counter = document.getElementById("answered-count");
  var byQuestion = {};
  var sending = {};
  Array.prototype.forEach.call(forms, function (form) {
    byQuestion[form.getAttribute("data-question")] = form;
  });

  function readStore() {
    try { return JSON.parse(window.localStorage.getItem(config.storageKey) || "{}") || {}; }
    catch (error) { return {}; }
  }
  function writeStore(pending) {
    try {
      if (Object.keys(pending).length) {
        window.localStorage.setItem(config.storageKey, JSON.stringify(pending));
      } else {
        window.localStorage.removeItem(config.storageKey);
      }
    } catch (error) { /* private mode or full: the answer still goes out now */ }
  }
  function keep(id, values) { var p = readStore(); p[id] = values; writeStore(p); }
  function drop(id) { var p = readStore(); delete p[id]; writeStore(p); }

  function showBanner() {
    if (!banner) { return; }
    var count = Object.keys(readStore()).length;
    banner.hidden = count === 0;
    banner.textContent = count ? T.waiting.replace("{count}", String(count)) : "";
  }
  function status(form, text, state) {
    var node = form.querySelector(".save-status");
    if (!node) { return; }
    node.textContent = text;
    node.className = "save-status" + (state ? " is-" + state : "");
    var retry = form.querySelector("button.retry");
    if (state === "pending" && !retry) {
      retry = document.createElement("button");
      retry.type = "button";
      retry.className = "button retry";
      retry.textContent = T.retry;
      retry.addEventListener("click", function () { send(form.getAttribute("data-question")); });
      node.parentNode.appendChild(retry);
    } else if (state !== "pending" && retry) {
      retry.parentNode.removeChild(retry);
    }
  }
  function valuesOf(form) {
    var checked = form.querySelector("input[name=answer]:checked");
    var notes = form.querySelector("textarea[name=notes]");
    return { answer: checked ? checked.value : "", notes: notes ? notes.value : "" };
  }
  function restore(form, values) {
    Array.prototype.forEach.call(form.querySelectorAll("input[name=answer]"), function (input) {
      input.checked = input.value === values.answer;
    });
    var notes = form.querySelector("textarea[name=notes]");
    if (notes) { notes.value = values.notes || ""; }
  }
  function countAnswered() {
    if (!counter) { return; }
    var done = 0;
    Array.prototype.forEach.call(forms, function (form) {
      if (form.getAttribute("data-answered") === "yes") { done += 1; }
    });
    counter.textContent = String(done);
  }

  function send(id) {
    var form = byQuestion[id];
    var values = readStore()[id];
    if (!form || !values || sending[id]) { return; }
    sending[id] = true;
    status(form, T.saving, "saving");
    var body = new FormData();
    var token = form.querySelector("input[name=csrf_token]");
    body.append("csrf_token", token ? token.value : "");
    body.append("answer", values.answer);
    body.append("notes", values.notes);
    window.fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token ? token.value : "" }
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json || response.redirected) { throw new Error("no answer from the app"); }
      return response.json().then(function (data) { return { response: response, data: data }; });
    }).then(function (result) {
      sending[id] = false;
      var latest = readStore()[id];
      var changed = latest && (latest.answer !== values.answer || latest.notes !== values.notes);
      if (result.data.ok) {
        form.setAttribute("data-answered", "yes");
        countAnswered();
        if (changed) { send(id); } else { drop(id); status(form, T.saved, "saved"); }
      } else if (result.response.status >= 500) {
        status(form, T.pending, "pending");
      } else {
        /* Refused on its merits (a missing note, the audit no longer in progress): sending
           it again would not help, so it is not kept. */
        if (!changed) { drop(id); }
        var message = result.data.error && result.data.error.message;
        status(form, T.refused + " " + (message || ""), "error");
      }
      showBanner();
    }).catch(function () {
      sending[id] = false;
      status(form, T.pending, "pending");
      showBanner();
    });
  }
  function sendAll() { Object.keys(readStore()).forEach(send); showBanner(); }

  Array.prototype.forEach.call(forms, function (form) {
    var id = form.getAttribute("data-question");
    if (form.querySelector("input[name=answer]:checked")) { form.setAttribute("data-answered", "yes"); }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var values = valuesOf(form);
      keep(id, values);
      send(id);
    });
    /* A tap on conforming or not applicable saves at once; not conforming waits for the notes. */
    Array.prototype.forEach.call(form.querySelectorAll("input[name=answer]"), function (input) {
      input.addEventListener("change", function () {
        var values = valuesOf(form);
        if (values.answer === "nonconforming" && !values.notes.trim()) {
          status(form, T.needsNotes, "error");
          var notes = form.querySelector("textarea[name=notes]");
          if (notes) { notes.focus(); }
          return;
        }
        keep(id, values);
        send(id);
      });
    });
  });

  /* Answers typed earlier that never reached the server: shown again, then sent. */
  var pending = readStore();
  Object.keys(pending).forEach(function (id) {
    var form = byQuestion[id];
    if (!form) { drop(id); return; }  /* taken out of the checklist meanwhile */
    restore(form, pending[id]);
    status(form, T.pending, "pending");
  });
  showBanner();
  window.addEventListener("online", sendAll);
  window.setInterval(function () { if (navigator.onLine !== false) { sendAll(); } }, 30000);
  sendAll();
}());
