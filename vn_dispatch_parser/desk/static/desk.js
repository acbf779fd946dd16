// The desk's only script (no framework, nothing from the internet).
// Review page, keyboard first: Enter accepts the value (or saves what was typed), typing replaces it,
// Tab moves to the next field, PageDown or Ctrl+Enter accepts the rest of the document; when every
// flagged field of the document is decided, the next document of the queue opens by itself.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.content : "";
  var review = document.getElementById("review");
  if (!review) return;
  var docId = review.getAttribute("data-doc");
  var busy = false;

  function inputs() { return Array.prototype.slice.call(review.querySelectorAll("input.value")); }
  function isDecided(input) { return input.closest(".item").classList.contains("decided"); }
  function pending() { return inputs().filter(function (i) { return !isDecided(i); }); }

  function post(fields) {
    var body = new URLSearchParams(fields);
    body.set("doc_id", docId);
    body.set("csrf", csrf);
    return fetch("/api/decide", {
      method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRF-Token": csrf }
    }).then(function (r) {
      return r.json().catch(function () { return { ok: false, error: "HTTP " + r.status }; });
    });
  }

  function focusAfter(from) {
    var list = inputs();
    var start = list.indexOf(from);
    for (var k = 1; k <= list.length; k++) {
      var i = list[(start + k) % list.length];
      if (!isDecided(i)) { i.focus(); return; }
    }
  }

  function finish(res) {
    if (pending().length) return;
    document.body.classList.add("leaving");
    window.location.href = res && res.next ? "/review/" + res.next : "/review";
  }

  function save(input) {
    var item = input.closest(".item");
    // the server compares the value with the machine's: equal is an acceptance, different a correction
    var action = input.readOnly ? "accept" : "correct";
    return post({ field: item.getAttribute("data-field"), action: action, value: input.value })
      .then(function (res) {
        var err = item.querySelector(".error");
        if (!res.ok) {
          err.textContent = res.error || "Không lưu được";
          item.classList.add("invalid");
          input.focus();
          return null;
        }
        err.textContent = "";
        item.classList.remove("invalid");
        item.classList.add("decided");
        item.querySelector(".state").textContent = res.action === "correct" ? "đã sửa" : "đã chấp nhận";
        input.value = res.value;
        input.setAttribute("data-machine", res.value);
        // a corrected number changes the number-and-symbol: show the new values of untouched fields
        inputs().forEach(function (other) {
          var name = other.closest(".item").getAttribute("data-field");
          if (!isDecided(other) && !other.classList.contains("dirty") && res.values && name in res.values) {
            other.value = res.values[name];
            other.setAttribute("data-machine", res.values[name]);
          }
        });
        return res;
      });
  }

  function decide(input) {
    if (busy) return;
    busy = true;
    save(input).then(function (res) {
      busy = false;
      if (!res) return;
      if (pending().length) focusAfter(input); else finish(res);
    });
  }

  function acceptRest() {
    if (busy) return;
    busy = true;
    var list = pending();
    var chain = Promise.resolve(null);
    list.forEach(function (input) {
      chain = chain.then(function (prev) { return prev === false ? false : save(input).then(function (r) { return r || false; }); });
    });
    chain.then(function (res) { busy = false; if (res) finish(res); });
  }

  review.addEventListener("keydown", function (e) {
    if (!e.target.matches("input.value")) return;
    if (e.key === "PageDown" || (e.key === "Enter" && (e.ctrlKey || e.metaKey))) {
      e.preventDefault();
      acceptRest();
    } else if (e.key === "Enter") {
      e.preventDefault();
      decide(e.target);
    }
  });
  review.addEventListener("input", function (e) {
    if (e.target.matches("input.value")) e.target.classList.add("dirty");
  });
  review.addEventListener("focusin", function (e) {
    if (e.target.matches("input.value")) e.target.select();
  });
  var first = pending()[0];
  if (first) first.focus();
})();
