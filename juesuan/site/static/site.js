// juesuan audit index: filters and search over the rows already in the page (no server, no
// library). The state lives in the address's #fragment, so a filtered view can be bookmarked.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) return;
  var findings = Array.prototype.slice.call(document.querySelectorAll("tr.finding"));
  var docs = Array.prototype.slice.call(document.querySelectorAll("tr.doc"));
  var body = docs.length ? docs[0].parentNode : null;
  var status = document.getElementById("status");
  var defaults = {};
  Array.prototype.forEach.call(form.elements, function (el) {
    if (!el.name) return;
    if (el.tagName === "SELECT") {
      var sel = Array.prototype.filter.call(el.options, function (o) { return o.defaultSelected; })[0];
      defaults[el.name] = sel ? sel.value : (el.options[0] ? el.options[0].value : "");
    } else defaults[el.name] = el.defaultValue || "";
  });

  function state() {
    var s = {};
    Array.prototype.forEach.call(form.elements, function (el) { if (el.name) s[el.name] = el.value.trim(); });
    return s;
  }
  function matches(d, s, q, tr) {
    if (s.sev && d.sev !== s.sev) return false;
    if (s.cat && d.cat !== s.cat) return false;
    if (s.rule && d.rule !== s.rule) return false;
    if (s.unit && d.unit !== s.unit) return false;
    if (s.year && d.year !== s.year) return false;
    if (s.ver !== "all" && d.current !== "1") return false;
    if (s.waived !== undefined && s.waived !== "all" && (s.waived === "yes") !== (d.waived === "1")) return false;
    if (q && tr.textContent.toLowerCase().indexOf(q) < 0) return false;
    return true;
  }
  function apply() {
    var s = state(), q = (s.q || "").toLowerCase(), counts = {}, nf = 0, nd = 0;
    findings.forEach(function (tr) {
      var d = tr.dataset, ok = matches(d, s, q, tr);
      tr.hidden = !ok;
      if (ok) {
        nf++;
        var c = counts[d.doc] || (counts[d.doc] = {error: 0, warning: 0, info: 0});
        c[d.sev] = (c[d.sev] || 0) + 1;
      }
    });
    var byFinding = s.sev || s.cat || s.rule || q || (s.waived && s.waived !== defaults.waived);
    docs.forEach(function (tr) {
      var d = tr.dataset, c = counts[d.doc] || {error: 0, warning: 0, info: 0};
      var ok = (!s.unit || d.unit === s.unit) && (!s.year || d.year === s.year) && (s.ver === "all" || d.current === "1");
      if (ok && byFinding) ok = c.error + c.warning + c.info > 0 || (q && tr.textContent.toLowerCase().indexOf(q) >= 0);
      tr.hidden = !ok;
      tr.querySelectorAll("[data-count]").forEach(function (td) {
        var n = c[td.dataset.count] || 0; td.textContent = n; td.classList.toggle("zero", n === 0);
      });
      tr._rank = [c.error, c.warning, c.info, Number(d.order)];
      if (ok) nd++;
    });
    if (body) {
      docs.slice().sort(function (a, b) {
        for (var i = 0; i < 3; i++) if (a._rank[i] !== b._rank[i]) return b._rank[i] - a._rank[i];
        return a._rank[3] - b._rank[3];
      }).forEach(function (tr) { body.appendChild(tr); });
    }
    if (status) status.textContent = "显示 " + nd + " 份报告、" + nf + " 条审计发现";
    var parts = [];
    Object.keys(s).forEach(function (k) { if (s[k] && s[k] !== defaults[k]) parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(s[k])); });
    try { history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search); } catch (e) { /* file: URLs in some browsers */ }
  }
  function restore() {
    var h = location.hash.replace(/^#/, "");
    if (!h) return;
    h.split("&").forEach(function (kv) {
      var i = kv.indexOf("="), k = decodeURIComponent(kv.slice(0, i)), v = decodeURIComponent(kv.slice(i + 1));
      var el = form.elements[k]; if (el) el.value = v;
    });
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  window.addEventListener("hashchange", function () { restore(); apply(); });
  restore();
  apply();
})();
