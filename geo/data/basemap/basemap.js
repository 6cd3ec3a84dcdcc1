/* The offline basemap (see geo/basemap.py and geo/map_basemap.py).
 *
 * naBasemap(map, files) makes one L.layerGroup per layer-control entry ("base",
 * "admin1", "rivers", "labels"). While a group is on the map, each of its files is
 * fetched (once, from the app's own static route or a data: URL) and drawn only when
 * the zoom is in the file's range (and, for a file with a bounding box, once the view
 * reaches that box); outside them it is not fetched at all.
 * Labels are placed most important first; one that would overlap a placed label is
 * left out, and at most about one label per 11000 square pixels is drawn.
 */
(function () {
  "use strict";
  var STYLE = {
    land: {color: "#aab6bf", weight: 0.8, fillColor: "#f3f1ea", fillOpacity: 1},
    lake: {color: "#a9bfcf", weight: 0.6, fillColor: "#d3e3ee", fillOpacity: 1},
    border: {color: "#6c7179", weight: 1.1, opacity: 0.85, fill: false},
    admin1: {color: "#9b9fa6", weight: 0.7, opacity: 0.9, fill: false},
    river: {color: "#93bad8", weight: 1, opacity: 0.9, fill: false}
  };
  var PANE = {land: "naLand", lake: "naLand", river: "naRivers", admin1: "naAdmin1",
              border: "naBorders"};
  var KIND = ["country", "state", "city"];

  function panes(map) {
    [["naLand", 190], ["naRivers", 370], ["naAdmin1", 380], ["naBorders", 390],
     ["naLabels", 450]].forEach(function (p) {
      if (!map.getPane(p[0])) {
        var pane = map.createPane(p[0]);
        pane.style.zIndex = p[1];
        pane.style.pointerEvents = "none";
      }
    });
  }

  function shapes(data) {
    // one L.geoJSON per kind, in drawing order, each path with the class na-bm-<kind>
    var byKind = {};
    data.features.forEach(function (f) {
      (byKind[f.properties.k] = byKind[f.properties.k] || []).push(f);
    });
    var group = L.layerGroup();
    ["land", "lake", "river", "admin1", "border"].forEach(function (k) {
      if (!byKind[k]) { return; }
      group.addLayer(L.geoJSON({type: "FeatureCollection", features: byKind[k]}, {
        pane: PANE[k], style: STYLE[k], interactive: false, className: "na-bm-" + k,
        smoothFactor: 1.5
      }));
    });
    return group;
  }

  function rank(row) {  // countries, then cities of a million, states, other cities
    return row[3] === 0 ? 0 : row[3] === 2 && row[4] <= 4 ? 1 : row[3] === 1 ? 2 : 3;
  }

  function Labels(map) {
    this.map = map;
    this.rows = [];
    this.layer = L.layerGroup();
  }
  Labels.prototype.add = function (rows) {
    var start = this.rows.length;
    rows.forEach(function (r, i) { r.push(rank(r), start + i); });
    this.rows = this.rows.concat(rows).sort(function (a, b) {  // files come in any order
      return a[5] - b[5] || a[4] - b[4] || a[6] - b[6];
    });
    this.draw();
  };
  Labels.prototype.draw = function () {
    var map = this.map, z = map.getZoom(), size = map.getSize();
    var bounds = map.getBounds().pad(0.05), boxes = [];
    var most = Math.max(12, Math.min(180, Math.round(size.x * size.y / 11000)));
    this.layer.clearLayers();
    for (var i = 0; i < this.rows.length && boxes.length < most; i++) {
      var r = this.rows[i], kind = r[3];
      if (r[4] > z || (kind === 0 && z > 7) || (kind === 1 && z > 10)) { continue; }
      var at = L.latLng(r[1], r[2]);
      if (!bounds.contains(at)) { continue; }
      var p = map.latLngToContainerPoint(at);
      var w = r[0].length * (kind === 0 ? 8.2 : kind === 1 ? 7.2 : 6.4) + 6, h = 15;
      var box = kind === 2 ? [p.x - 4, p.y - h / 2, p.x + w + 6, p.y + h / 2]
                           : [p.x - w / 2, p.y - h / 2, p.x + w / 2, p.y + h / 2];
      var clash = false;
      for (var j = 0; j < boxes.length && !clash; j++) {
        var o = boxes[j];
        clash = box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3];
      }
      if (clash) { continue; }
      boxes.push(box);
      var text = document.createElement("span");
      text.textContent = r[0];  // names are data, never HTML
      this.layer.addLayer(L.marker(at, {
        pane: "naLabels", interactive: false, keyboard: false,
        icon: L.divIcon({className: "na-lbl na-lbl-" + KIND[kind], html: text,
                         iconSize: null})
      }));
    }
  };

  window.naBasemap = function (map, files) {
    panes(map);
    var groups = {}, labels = new Labels(map);
    files.forEach(function (f) {
      groups[f.group] = groups[f.group] || L.layerGroup();
      f.drawn = null;  // the file's layer once fetched
      f.loading = null;
    });
    if (groups.labels) { groups.labels.addLayer(labels.layer); }

    function show(f, on) {
      var group = groups[f.group];
      if (f.group === "labels") { return; }  // label rows stay; draw() filters them
      if (on && f.drawn && !group.hasLayer(f.drawn)) { group.addLayer(f.drawn); }
      if (!on && f.drawn && group.hasLayer(f.drawn)) { group.removeLayer(f.drawn); }
    }
    function fetchFile(f) {
      f.loading = fetch(f.url).then(function (r) {
        if (!r.ok) { throw new Error(r.status + " " + f.url); }
        return r.json();
      }).then(function (data) {
        if (f.group === "labels") { labels.add(data.labels); return; }
        f.drawn = shapes(data);
        update();
      }).catch(function (err) {
        f.loading = null;
        console.warn("basemap: cannot load " + f.url.slice(0, 80), err);
      });
    }
    function inView(f) {  // a file with a bbox is fetched once the view reaches it
      if (!f.bbox) { return true; }
      var b = map.getBounds(), w = b.getWest(), e = b.getEast();
      if (e - w >= 360) { return true; }
      return [-360, 0, 360].some(function (shift) {  // the world's copies east and west
        return w <= f.bbox[2] + shift && e >= f.bbox[0] + shift &&
               b.getSouth() <= f.bbox[3] && b.getNorth() >= f.bbox[1];
      });
    }
    function update() {
      var z = map.getZoom();
      files.forEach(function (f) {
        var active = map.hasLayer(groups[f.group]);
        var inRange = z >= f.min && z <= f.max;
        if (active && inRange && !f.loading && inView(f)) { fetchFile(f); }
        // a coarser file of the group stays until the finer one for this zoom is drawn
        var finer = files.filter(function (g) {
          return g.group === f.group && g !== f && z >= g.min && z <= g.max;
        });
        var replaced = finer.length === 0 || finer.every(function (g) { return g.drawn; });
        show(f, active && (inRange || !replaced));
      });
      if (map.hasLayer(groups.labels || L.layerGroup())) { labels.draw(); }
    }
    Object.keys(groups).forEach(function (k) { groups[k].on("add remove", update); });
    map.on("zoomend", update);
    map.on("moveend resize", update);  // fetches the files the view has reached
    map.whenReady(update);
    return {groups: groups, files: files, labels: labels, update: update};
  };
})();
