/* The standalone HTML map's reader panel and legend switches (geo/export_html.py).
   naExportPage(map, layers): layers = {places, broad, heat} (Leaflet layers or null). */
function naExportPage(map, layers) {
  var panel = document.getElementById("na-reader");
  function route() {
    if (!panel) { return; }  // links go to a hosted dashboard: no reader here
    var id = null;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { id = null; }
    var body = document.getElementById("na-reader-body");
    body.querySelectorAll("section").forEach(function (s) { s.hidden = true; });
    body.querySelectorAll(".na-current").forEach(function (p) {
      p.classList.remove("na-current"); });
    var target = id ? document.getElementById(id) : null;
    if (target && !body.contains(target)) { target = null; }
    document.getElementById("na-missing").hidden = !!target || !id;
    panel.hidden = !id;
    if (!target) { return; }
    var section = target.closest("section");
    section.hidden = false;
    if (target !== section) { target.classList.add("na-current"); }
    target.scrollIntoView({block: "center"});
  }
  // Links to "#..." stay in this page (popups ask for a new tab: not here).
  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a[href^='#']") : null;
    if (!a) { return; }
    e.preventDefault();
    var hash = a.getAttribute("href");
    if (hash === "#") {
      history.pushState(null, "", location.pathname + location.search); route();
    } else if (location.hash === hash) { route(); } else { location.hash = hash; }
  }, true);
  window.addEventListener("hashchange", route);
  window.addEventListener("popstate", route);
  document.querySelectorAll(".na-legend input").forEach(function (box) {
    var layer = layers[box.dataset.layer];
    if (!layer) { box.disabled = true; return; }
    box.checked = map.hasLayer(layer);
    box.addEventListener("change", function () {
      if (box.checked) { map.addLayer(layer); } else { map.removeLayer(layer); }
    });
  });
  if (window.innerWidth < 600) {  // a phone: the legend starts folded
    document.querySelector(".na-legend").removeAttribute("open");
  }
  route();
}
