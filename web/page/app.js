// The sitrep page: map, legend, timeline, filters, list and incident panel over the JSON API.
//
// Article text is untrusted. Every string from the API reaches the page through text nodes
// (`el` below); nothing here assigns HTML. The server's Content-Security-Policy forbids inline
// scripts and style attributes as a second guard (styles are set through the CSSOM only).
(function () {
  "use strict";

  // Each family has a colour and a shape, so the map reads without colour vision too.
  const FAMILY_STYLE = {
    battles: { color: "#b3261e", shape: "circle" },
    explosions_remote_violence: { color: "#e07b00", shape: "diamond" },
    violence_against_civilians: { color: "#7b2d8e", shape: "triangle" },
    protests: { color: "#1f6fb5", shape: "square" },
    riots: { color: "#8a5a2b", shape: "triangle-down" },
    strategic_developments: { color: "#5f6b7a", shape: "hexagon" },
    diplomacy: { color: "#2e7d4f", shape: "ring" },
  };
  // Outlines in a -1..1 box.
  const SHAPES = {
    circle: "M-0.86 0A0.86 0.86 0 1 0 0.86 0A0.86 0.86 0 1 0 -0.86 0Z",
    ring: "M-0.78 0A0.78 0.78 0 1 0 0.78 0A0.78 0.78 0 1 0 -0.78 0Z",
    diamond: "M0 -1L1 0L0 1L-1 0Z",
    triangle: "M0 -0.98L0.98 0.78L-0.98 0.78Z",
    "triangle-down": "M0 0.98L0.98 -0.78L-0.98 -0.78Z",
    square: "M-0.78 -0.78H0.78V0.78H-0.78Z",
    hexagon: "M0.92 0L0.46 0.8L-0.46 0.8L-0.92 0L-0.46 -0.8L0.46 -0.8Z",
  };
  const PAGE = 1000; // the API's largest page
  const DAY_MS = 86400000;
  const FOCUS_ZOOM = 6; // the map zooms at least this far in on the opened incident
  const CLICK_SLOP = 4; // px: a timeline gesture shorter than this is a click, not a drag
  const SIZE_KEY = [0, 10, 100]; // killed, for the legend's size key
  const PHONE = window.matchMedia("(max-width: 800px)");
  const SVG_NS = "http://www.w3.org/2000/svg";

  const state = {
    filters: {},
    range: null, // [since, until] as YYYY-MM-DD, from the timeline
    days: [], // by_day buckets of the whole store under the current filters
    labels: { family: new Map(), type: new Map() },
    incidents: new Map(), // incident id -> incident of the current page
    markers: new Map(), // incident id -> Leaflet marker
    selected: null, // the opened incident's id
    map: null,
    osm: null,
    cluster: null,
    loadSeq: 0,
    statsSeq: 0,
    panelSeq: 0,
  };

  // ---- small helpers -------------------------------------------------------------------------

  /** Build an element; string children become text nodes, never markup. */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function svgNode(tag, attrs) {
    const n = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    return n;
  }

  /** "peaceful_protest" -> "Peaceful protest", for a key the labels do not know. */
  function humanize(key) {
    const s = (key || "").replace(/_/g, " ");
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  const familyLabel = (k) => state.labels.family.get(k) || humanize(k);
  const typeLabel = (k) => state.labels.type.get(k) || humanize(k);
  const style = (family) => FAMILY_STYLE[family] || { color: "#444", shape: "circle" };

  const regionNames = typeof Intl !== "undefined" && Intl.DisplayNames ? new Intl.DisplayNames(["en"], { type: "region" }) : null;
  /** "SD" -> "Sudan"; the code itself when the browser does not know it. */
  function countryName(code) {
    if (!code) return "";
    try {
      return (regionNames && regionNames.of(code)) || code;
    } catch (_) {
      return code;
    }
  }

  /** The family's symbol as an SVG element of `size` px. */
  function symbol(family, size, extraClass) {
    const s = style(family);
    const svg = svgNode("svg", { width: size, height: size, viewBox: "-1.2 -1.2 2.4 2.4", class: `symbol ${extraClass || ""}`.trim(), "aria-hidden": "true" });
    const ring = s.shape === "ring";
    svg.append(
      svgNode("path", {
        d: SHAPES[s.shape],
        fill: ring ? "#ffffff" : s.color,
        stroke: ring ? s.color : "#ffffff",
        "stroke-width": ring ? 0.44 : 0.22,
        "stroke-linejoin": "round",
      })
    );
    if (ring) svg.append(svgNode("path", { d: SHAPES.ring, fill: "none", stroke: "#ffffff", "stroke-width": 0.1, transform: "scale(1.32)" }));
    return svg;
  }

  /** Marker size in px: the area grows with the people killed (best estimate). */
  const markerSize = (killed) => Math.round(14 + Math.min(24, Math.sqrt(killed || 0) * 2.6));

  async function api(path) {
    const r = await fetch(path, { headers: { Accept: "application/json" } });
    const body = await r.json().catch(() => null);
    if (!r.ok) {
      const msg = body && body.error ? body.error.message : r.statusText;
      throw new Error(msg);
    }
    return body;
  }

  function query(extra) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...state.filters, ...extra })) {
      if (v !== "" && v !== null && v !== undefined) p.set(k, v);
    }
    return p.toString();
  }

  function estimate(e) {
    if (!e) return null;
    if (e.low === e.high) return String(e.best);
    return `${e.best} (${e.low}\u2013${e.high})`;
  }

  function dates(i) {
    if (!i.date_start) return "undated";
    return i.date_start === i.date_end || !i.date_end ? i.date_start : `${i.date_start} \u2013 ${i.date_end}`;
  }

  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

  function showError(where, err) {
    where.replaceChildren(el("p", { class: "nomap", role: "alert" }, `Could not load: ${err.message}`));
  }

  async function loadLabels() {
    try {
      const l = await api("/api/labels");
      for (const f of l.families) {
        state.labels.family.set(f.key, f.label);
        for (const t of f.types) state.labels.type.set(t.key, t.label);
      }
    } catch (_) {
      /* an older server: keys are humanized */
    }
  }

  // ---- the map -------------------------------------------------------------------------------

  function initMap() {
    const box = document.getElementById("map");
    const bundled = document.documentElement.dataset.mapBundled === "true";
    if (!bundled || typeof L === "undefined" || !L.markerClusterGroup) {
      box.append(el("p", { class: "nomap" }, "The map library was not bundled into this build (npm was unavailable); incidents are listed beside it."), legend());
      document.getElementById("osm").disabled = true;
      return;
    }
    const map = L.map(box, { worldCopyJump: true, minZoom: 1, maxZoom: 18 }).setView([20, 20], 2);
    state.map = map;
    state.cluster = L.markerClusterGroup({
      maxClusterRadius: 34,
      showCoverageOnHover: false,
      spiderfyOnMaxZoom: true,
      spiderfyDistanceMultiplier: 1.6,
      iconCreateFunction: clusterIcon,
    }).addTo(map);
    map.attributionControl.addAttribution("Borders: Natural Earth via world-atlas");
    const Legend = L.Control.extend({
      onAdd: () => {
        const box = el("div", { class: "leaflet-control legend-control" }, legend());
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      },
    });
    new Legend({ position: "bottomleft" }).addTo(map);
    const report = () => {
      box.dataset.zoom = String(map.getZoom());
    };
    map.on("zoomend moveend", report);
    map.on("movestart zoomstart", () => (state.moving = true));
    map.on("moveend", () => (state.moving = false));
    report();
    drawBasemap(map);
    initTiles(map);
  }

  function drawBasemap(map) {
    fetch("/assets/countries-50m.json")
      .then((r) => r.json())
      .then((topo) => {
        const land = topojson.feature(topo, topo.objects.countries);
        for (const f of land.features) unwrapAntimeridian(f.geometry);
        L.geoJSON(land, {
          interactive: false,
          style: { color: "#b9b4aa", weight: 0.6, fillColor: "#f2efe9", fillOpacity: 1 },
        }).addTo(map).bringToBack();
      })
      .catch(() => {});
  }

  function initTiles(map) {
    document.getElementById("osm").addEventListener("change", (ev) => {
      if (ev.target.checked) {
        state.osm = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
          maxZoom: 18,
          attribution: "&copy; OpenStreetMap contributors",
        }).addTo(map);
      } else if (state.osm) {
        map.removeLayer(state.osm);
        state.osm = null;
      }
    });
  }

  /** Rings cut at the antimeridian (Chukotka, Fiji) would be drawn across the whole map: move
   *  their western half east of 180 degrees, where Leaflet draws it next to the rest. */
  function unwrapAntimeridian(g) {
    if (!g) return;
    const polygons = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    for (const poly of polygons) {
      for (const ring of poly) {
        let jumps = false;
        let south = true;
        for (let k = 1; k < ring.length; k++) {
          if (Math.abs(ring[k][0] - ring[k - 1][0]) > 180) jumps = true;
          if (ring[k][1] > -60) south = false;
        }
        if (jumps && !south) for (const pt of ring) if (pt[0] < 0) pt[0] += 360;
      }
    }
  }

  /** The legend: families with their symbols, what marker size and a numbered disc mean. */
  function legend() {
    const families = Object.keys(FAMILY_STYLE).map((f) => el("li", {}, symbol(f, 14), familyLabel(f)));
    const sizes = SIZE_KEY.map((k) => el("span", { class: "size-key" }, symbol(null, markerSize(k)), k === SIZE_KEY[SIZE_KEY.length - 1] ? `${k}+` : String(k)));
    const box = el(
      "details",
      { class: "legend", "data-testid": "legend", open: !PHONE.matches },
      el("summary", {}, "Legend"),
      el("ul", { class: "families" }, families),
      el("div", { class: "legend-sizes" }, el("div", {}, "Size: people killed (best estimate)"), el("div", { class: "size-row" }, sizes)),
      el("div", { class: "legend-cluster" }, el("span", { class: "cluster-sample" }, "3"), "Incidents close together: click to zoom in or spread them out")
    );
    return box;
  }

  /** A cluster: a disc split by family shares, with the count; its title lists the families. */
  function clusterIcon(cluster) {
    const children = cluster.getAllChildMarkers();
    const counts = new Map();
    for (const m of children) counts.set(m.options.family, (counts.get(m.options.family) || 0) + 1);
    const stops = [];
    let at = 0;
    for (const [f, n] of counts) {
      const to = at + (n / children.length) * 360;
      stops.push(`${style(f).color} ${at}deg ${to}deg`);
      at = to;
    }
    const size = Math.round(30 + Math.min(16, Math.log2(children.length) * 3));
    const disc = el("div", { class: "cluster-disc" }, el("span", {}, String(children.length)));
    disc.style.background = `conic-gradient(${stops.join(", ")})`; // CSSOM: allowed by the CSP
    const names = [...counts].map(([f, n]) => `${n} ${familyLabel(f)}`).join(", ");
    disc.title = `${plural(children.length, "incident")} here: ${names}. Click to zoom in or spread them out.`;
    disc.dataset.incidents = children.map((m) => m.options.incident).join(",");
    return L.divIcon({ html: disc, className: "incident-cluster", iconSize: [size, size] });
  }

  function markerIcon(i, selected) {
    const size = markerSize(i.killed ? i.killed.best : 0) + (selected ? 8 : 0);
    const shape = symbol(i.family, size);
    shape.removeAttribute("aria-hidden"); // markers are focusable: say what they are
    shape.setAttribute("role", "img");
    shape.setAttribute("aria-label", [typeLabel(i.type), i.location, dates(i)].filter(Boolean).join(", "));
    return L.divIcon({
      html: shape,
      className: `incident-marker incident-${i.id}${selected ? " selected" : ""}`,
      iconSize: [size, size],
    });
  }

  function drawMarkers(incidents) {
    state.markers.clear();
    if (!state.map) return;
    state.cluster.clearLayers();
    const markers = [];
    for (const i of incidents) {
      if (i.lat === null || i.lon === null) continue;
      const m = L.marker([i.lat, i.lon], {
        icon: markerIcon(i, i.id === state.selected),
        incident: i.id,
        family: i.family,
        keyboard: true,
        riseOnHover: true,
        zIndexOffset: i.id === state.selected ? 1000 : 0,
      });
      bindTip(m, i, i.id === state.selected);
      m.on("click", () => openIncident(i.id));
      markers.push(m);
      state.markers.set(i.id, m);
    }
    state.cluster.addLayers(markers);
    if (markers.length && !state.fitted) {
      // Keep the incidents clear of the legend in the lower left corner.
      const legend = document.querySelector("#map .legend-control");
      const left = legend && legend.offsetWidth < state.map.getSize().x / 3 ? legend.offsetWidth + 10 : 30;
      state.map.fitBounds(L.latLngBounds(markers.map((m) => m.getLatLng())), { paddingTopLeft: [left, 30], paddingBottomRight: [30, 30], maxZoom: 6 });
      state.fitted = true;
    }
  }

  /** The marker's tooltip: on hover, or always shown while the incident is open. */
  function bindTip(m, i, selected) {
    const tip = selected
      ? [typeLabel(i.type), i.location] // short: it stays on screen beside its neighbours
      : [typeLabel(i.type), i.location, dates(i), i.killed ? `${estimate(i.killed)} killed` : null];
    m.unbindTooltip();
    // An element, not a string: a string would be set as HTML by Leaflet.
    const options = selected ? { permanent: true, direction: "top", offset: [0, -14], className: "selected-tip" } : {};
    m.bindTooltip(el("span", {}, tip.filter(Boolean).join(" \u00b7 ")), options);
  }

  /** Mark the selected incident's marker (and unmark the previous one). */
  function highlightMarker(previous, id) {
    const old = state.markers.get(previous);
    if (old && previous !== id) {
      old.setIcon(markerIcon(state.incidents.get(previous), false));
      old.setZIndexOffset(0);
      bindTip(old, state.incidents.get(previous), false);
    }
    const m = state.markers.get(id);
    if (!m) return null;
    m.setIcon(markerIcon(state.incidents.get(id), true));
    m.setZIndexOffset(1000);
    bindTip(m, state.incidents.get(id), true);
    return m;
  }

  /**
   * Fly to the incident, zoomed in at least to FOCUS_ZOOM and far enough for its marker to stand
   * alone; incidents at one point stay clustered at every zoom, so their cluster is spread out.
   * Polls until done, acting only while the map is still: a fly started during another zoom
   * animation, or leaflet.markercluster's own `zoomToShowLayer` (which races with the map's
   * zoomend), can leave the marker folded away. (`__parent._zoom` is the deepest zoom at which
   * leaflet.markercluster 1.5 still clusters the marker.)
   */
  function focusMarker(m, id) {
    const map = state.map;
    const group = state.cluster;
    const i = state.incidents.get(id);
    const p = m.__parent;
    const apart = p && p._zoom < group._maxZoom ? p._zoom + 1 : 0;
    const zoom = Math.min(map.getMaxZoom(), Math.max(map.getZoom(), FOCUS_ZOOM, apart));
    let tries = 0;
    let flights = 0;
    const settle = () => {
      if (state.selected !== id || ++tries > 80) return;
      if (state.moving || group._inZoomAnimation) return setTimeout(settle, 100);
      const there = map.getZoom() >= zoom - 0.01 && map.getBounds().contains([i.lat, i.lon]);
      if (!there && flights++ < 3) {
        map.flyTo([i.lat, i.lon], zoom, { duration: 0.8 });
      } else if (m._icon && map.hasLayer(m)) {
        document.body.dataset.focused = String(id);
        return;
      } else {
        const parent = group.getVisibleParent(m);
        if (parent && parent !== m && parent.spiderfy && group._spiderfied !== parent) parent.spiderfy();
      }
      setTimeout(settle, 150);
    };
    settle();
  }

  // ---- list and summary ----------------------------------------------------------------------

  function listItem(i) {
    const figures = [];
    if (i.killed) figures.push(`${estimate(i.killed)} killed`);
    if (i.injured) figures.push(`${estimate(i.injured)} injured`);
    const where = [i.location, countryName(i.country)].filter(Boolean);
    const open = () => openIncident(i.id);
    return el(
      "li",
      {
        tabindex: 0,
        "data-incident": i.id,
        class: i.id === state.selected ? "selected" : null,
        "aria-current": i.id === state.selected ? "true" : null,
        onclick: open,
        onkeydown: (e) => e.key === "Enter" && open(),
      },
      el("div", { class: "what" }, symbol(i.family, 13), typeLabel(i.type), where.length ? ` \u00b7 ${where.join(", ")}` : ""),
      el("div", { class: "meta" }, [dates(i), figures.join(", "), i.initiator ? `by ${i.initiator}` : "", plural(i.sources, "source"), i.lat === null ? "not on the map" : ""].filter(Boolean).join(" \u00b7 "))
    );
  }

  function drawList(page) {
    const list = document.getElementById("list");
    const note = document.getElementById("list-note");
    const shown = page.incidents.length;
    note.textContent =
      page.total > shown ? `Showing the ${shown} latest of ${page.total} incidents; narrow the filters to see the rest.` : plural(page.total, "incident");
    list.replaceChildren(...page.incidents.map(listItem));
  }

  function highlightListItem(id) {
    for (const li of document.querySelectorAll("#list li.selected")) {
      li.classList.remove("selected");
      li.removeAttribute("aria-current");
    }
    const li = document.querySelector(`#list li[data-incident="${id}"]`);
    if (!li) return;
    li.classList.add("selected");
    li.setAttribute("aria-current", "true");
    const wrap = document.getElementById("list-wrap");
    if (wrap.scrollHeight > wrap.clientHeight + 1) wrap.scrollTop = li.offsetTop - wrap.offsetTop - wrap.clientHeight / 3;
  }

  // ---- the incident panel --------------------------------------------------------------------

  function segmentNodes(excerpt) {
    return excerpt.segments.map((s) => (s.mark ? el("mark", { class: s.mark, title: s.mark }, s.text) : document.createTextNode(s.text)));
  }

  /**
   * A report's whole text, read a piece at a time (the API answers at most 1 MiB of text at
   * once; pieces end on character boundaries, so they join as they are).
   */
  async function reportText(id) {
    const parts = [];
    let offset = 0;
    for (let i = 0; i < 64 && offset !== null; i++) {
      const c = await api(`/api/reports/${encodeURIComponent(id)}?text=1&offset=${offset}`);
      parts.push(c.text);
      offset = c.next_offset;
    }
    return parts.join("");
  }

  /** The whole report with the event's spans marked; offsets are UTF-8 bytes, as the API gives them. */
  function fullText(text, spans) {
    const bytes = new TextEncoder().encode(text);
    const dec = new TextDecoder();
    const cuts = spans.filter((s) => s.start < s.end && s.end <= bytes.length).sort((a, b) => a.start - b.start);
    const out = [];
    let at = 0;
    for (const s of cuts) {
      if (s.start < at) continue;
      out.push(document.createTextNode(dec.decode(bytes.subarray(at, s.start))));
      out.push(el("mark", { class: "event" }, dec.decode(bytes.subarray(s.start, s.end))));
      at = s.end;
    }
    out.push(document.createTextNode(dec.decode(bytes.subarray(at))));
    return el("div", { class: "fulltext", "data-testid": "fulltext" }, out);
  }

  function safeLink(url, text) {
    try {
      const u = new URL(url);
      if (u.protocol === "http:" || u.protocol === "https:") {
        return el("a", { href: u.href, target: "_blank", rel: "noopener noreferrer" }, text);
      }
    } catch (_) {
      /* not a URL: shown as text */
    }
    return document.createTextNode(text);
  }

  function fullReportButton(s, textBox) {
    const spans = (s.evidence || []).map((e) => ({ start: e.start, end: e.end }));
    return el(
      "button",
      {
        type: "button",
        onclick: async (ev) => {
          ev.target.disabled = true;
          try {
            const text = await reportText(s.report);
            textBox.replaceChildren(fullText(text, spans));
            ev.target.remove();
          } catch (err) {
            showError(textBox, err);
          }
        },
      },
      "full report"
    );
  }

  function sourceView(s) {
    const figures = [];
    if (s.killed !== null) figures.push(`${s.killed} killed`);
    if (s.injured !== null) figures.push(`${s.injured} injured`);
    const cited = (s.extracted && s.extracted.attributed_to ? s.extracted.attributed_to : []).map((p) => (p.title ? `${p.name}, ${p.title}` : p.name));
    const textBox = el("div");
    return el(
      "div",
      { class: "source", "data-testid": "source" },
      el("h4", {}, s.title ? (s.url ? safeLink(s.url, s.title) : s.title) : `report ${s.report}`),
      el("div", { class: "meta" }, [s.source, s.published, figures.join(", ")].filter(Boolean).join(" \u00b7 ")),
      cited.length ? el("div", { class: "meta" }, `according to ${cited.join("; ")}`) : null,
      s.excerpts.map((x) => el("p", { class: "excerpt", "data-testid": "excerpt" }, segmentNodes(x))),
      s.quotes.length
        ? el(
            "ul",
            { class: "quotes" },
            s.quotes.map((q) =>
              // Reported speech is the reporter's wording: shown as such, never in quotation marks.
              q.indirect
                ? el("li", { class: "reported" }, `reported: ${q.text} `, el("span", { class: "who" }, q.speaker ? `\u2014 according to ${q.speaker.name}` : "\u2014 source unknown"))
                : el("li", {}, `\u201c${q.text}\u201d `, el("span", { class: "who" }, q.speaker ? `\u2014 ${q.speaker.name}` : "\u2014 speaker unknown"))
            )
          )
        : null,
      el("div", { class: "why" }, `why here (the report's event ${s.event}): ${reason(s.merge_reason)}`),
      fullReportButton(s, textBox),
      textBox
    );
  }

  function reason(r) {
    if (!r || typeof r !== "object") return "unknown";
    switch (r.decision || r.kind || r.outcome) {
      case "merged":
        return [r.rule, r.distance_km !== null && r.distance_km !== undefined ? `${Number(r.distance_km).toFixed(1)} km apart` : "no place to compare", `${plural(r.day_gap, "day")} apart`, plural(r.candidates, "candidate")].filter(Boolean).join(", ");
      case "new":
        return `first report (${plural(r.candidates, "candidate")} checked, none compatible)`;
      case "part_of":
        return `part of ${r.event} in the same report`;
      default:
        return JSON.stringify(r);
    }
  }

  function figureBox(kind, e) {
    if (!e) return null;
    return el("div", { class: `figure ${kind}` }, el("b", {}, String(e.best)), ` ${kind}`, e.low !== e.high ? el("div", { class: "meta" }, `low ${e.low}, high ${e.high}`) : null);
  }

  /** The names the reports wrote for the incident's place, where they differ from the canonical one. */
  function writtenNames(i) {
    const seen = new Set();
    for (const r of i.reports) {
      for (const l of (r.extracted && r.extracted.locations) || []) {
        if (l.name !== i.location || !l.mention) continue;
        if (l.mention.toLowerCase() !== (i.location || "").toLowerCase()) seen.add(l.mention);
      }
    }
    return [...seen];
  }

  function placeLine(i) {
    if (!i.location) return el("div", { class: "meta" }, "place unknown: not on the map");
    const written = writtenNames(i);
    return el(
      "div",
      { class: "place", "data-testid": "place" },
      el("b", {}, i.location),
      written.length ? el("span", { class: "written", "data-testid": "written" }, ` (as written: ${written.map((w) => `\u201c${w}\u201d`).join(", ")})`) : null,
      el("span", { class: "meta" }, ` \u00b7 ${[i.admin1, countryName(i.country), i.precision ? `${i.precision} level` : null].filter(Boolean).join(", ")}`)
    );
  }

  function incidentView(i) {
    return [
      el("h2", { "data-testid": "incident-title" }, symbol(i.family, 18), typeLabel(i.type), i.location ? ` \u00b7 ${i.location}` : ""),
      el("div", { class: "meta" }, el("span", { class: "family-name" }, familyLabel(i.family)), ` \u00b7 ${dates(i)}`),
      placeLine(i),
      el("div", { class: "meta" }, [i.initiator ? `initiator: ${i.initiator}` : null, i.target ? `target: ${i.target}` : null].filter(Boolean).join(" \u00b7 ")),
      el("div", { class: "figures" }, figureBox("killed", i.killed), figureBox("injured", i.injured)),
      el("div", { class: "meta" }, `${plural(i.reports.length, "account")} from ${plural(i.sources, "report")}`),
      ...i.reports.map(sourceView),
    ];
  }

  /** Select an incident: highlight it in the list and on the map, fly there, open its panel. */
  async function openIncident(id) {
    const seq = ++state.panelSeq;
    const previous = state.selected;
    state.selected = id;
    delete document.body.dataset.focused;
    const panel = document.getElementById("panel");
    const body = document.getElementById("panel-body");
    panel.hidden = false;
    document.getElementById("side").classList.add("open");
    highlightListItem(id);
    drawTimeline();
    const m = state.map ? highlightMarker(previous, id) : null;
    if (m) focusMarker(m, id);
    body.replaceChildren(el("p", { class: "meta" }, "loading\u2026"));
    if (location.hash !== `#incident=${id}`) history.replaceState(null, "", `#incident=${id}`);
    try {
      const i = await api(`/api/incidents/${encodeURIComponent(id)}`);
      if (seq !== state.panelSeq) return; // another incident was opened meanwhile
      body.replaceChildren(...incidentView(i));
      panel.scrollTop = 0;
      highlightListItem(id); // the list is shorter now: scroll its item into view again
      if (PHONE.matches) panel.scrollIntoView({ block: "start" });
    } catch (err) {
      if (seq === state.panelSeq) showError(body, err);
    }
  }

  function closePanel() {
    state.panelSeq++;
    const previous = state.selected;
    state.selected = null;
    delete document.body.dataset.focused;
    if (state.map) highlightMarker(previous, null);
    highlightListItem(null);
    drawTimeline();
    document.getElementById("panel").hidden = true;
    document.getElementById("side").classList.remove("open");
    history.replaceState(null, "", location.pathname + location.search);
  }

  // ---- the timeline --------------------------------------------------------------------------

  const toDay = (s) => Date.parse(`${s}T00:00:00Z`) / DAY_MS;
  const fromDay = (d) => new Date(Math.round(d) * DAY_MS).toISOString().slice(0, 10);

  /** Days grouped into at most ~240 bins of `bin` days. */
  function binDays(days, first, span) {
    const bin = Math.max(1, Math.ceil(span / 240));
    const bins = new Map();
    for (const d of days) {
      const k = Math.floor((toDay(d.key) - first) / bin);
      const b = bins.get(k) || { incidents: 0, killed: 0 };
      b.incidents += d.incidents;
      b.killed += d.killed;
      bins.set(k, b);
    }
    return { bin, bins };
  }

  function drawTimeline() {
    const svg = document.getElementById("timeline");
    const w = svg.clientWidth || 800;
    const h = svg.clientHeight || 70;
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    svg.replaceChildren();
    const days = state.days;
    state.axis = null;
    if (!days.length) return;
    const first = toDay(days[0].key);
    const span = Math.max(1, toDay(days[days.length - 1].key) + 1 - first);
    const { bin, bins } = binDays(days, first, span);
    const max = Math.max(...[...bins.values()].map((b) => b.incidents));
    const x = (d) => ((d - first) / span) * (w - 2) + 1;
    const barW = Math.max(1.5, ((w - 2) / span) * bin - 0.5);
    const plotH = h - 14;
    state.axis = { first, span, w };
    for (const [k, b] of bins) {
      const from = first + k * bin;
      const to = from + bin - 1;
      const bh = Math.max(1, (b.incidents / max) * (plotH - 2));
      const inside = state.range && fromDay(to) >= state.range[0] && fromDay(from) <= state.range[1];
      const bar = svgNode("rect", { x: x(from), y: plotH - bh, width: barW, height: bh, class: inside ? "bar in" : "bar" });
      const t = svgNode("title", {});
      t.textContent = `${bin === 1 ? fromDay(from) : `${fromDay(from)} \u2013 ${fromDay(to)}`}: ${plural(b.incidents, "incident")}, ${b.killed} killed`;
      bar.append(t);
      svg.append(bar);
    }
    for (const [pos, anchor, text] of [[2, "start", days[0].key], [w - 2, "end", days[days.length - 1].key]]) {
      const t = svgNode("text", { x: pos, y: h - 2, "text-anchor": anchor });
      t.textContent = text;
      svg.append(t);
    }
    if (state.range) {
      const a = x(toDay(state.range[0]));
      const b = x(toDay(state.range[1]) + 1);
      svg.append(svgNode("rect", { class: "sel", x: a, y: 0, width: Math.max(2, b - a), height: plotH }));
    }
    const open = state.incidents.get(state.selected);
    if (open && open.date_start) {
      const a = x(toDay(open.date_start));
      const b = x(toDay(open.date_end || open.date_start) + 1);
      svg.append(svgNode("rect", { class: "pick", "data-testid": "timeline-pick", x: a - 1, y: 0, width: Math.max(3, b - a + 2), height: plotH }));
    }
  }

  /** Dragging selects a date range; a click (a gesture under CLICK_SLOP px) clears it. */
  function initTimeline() {
    const svg = document.getElementById("timeline");
    let start = null;
    let sel = null;
    const dayAt = (clientX) => {
      const r = svg.getBoundingClientRect();
      const a = state.axis;
      const fx = Math.min(1, Math.max(0, (clientX - r.left) / r.width));
      return a.first + Math.min(a.span - 1, Math.floor(fx * a.span));
    };
    const drop = () => {
      start = null;
      if (sel) sel.remove();
      sel = null;
    };
    svg.addEventListener("pointerdown", (e) => {
      if (!state.axis) return;
      start = e.clientX;
      svg.setPointerCapture(e.pointerId);
    });
    svg.addEventListener("pointermove", (e) => {
      if (start === null || !state.axis || Math.abs(e.clientX - start) < CLICK_SLOP) return;
      const r = svg.getBoundingClientRect();
      const scale = (state.axis.w || r.width) / r.width;
      if (!sel) svg.append((sel = svgNode("rect", { class: "sel", y: 0 })));
      const a = (Math.min(start, e.clientX) - r.left) * scale;
      const b = (Math.max(start, e.clientX) - r.left) * scale;
      sel.setAttribute("x", a);
      sel.setAttribute("width", Math.max(1, b - a));
      sel.setAttribute("height", r.height - 14);
    });
    svg.addEventListener("pointercancel", drop);
    svg.addEventListener("pointerup", (e) => {
      if (start === null || !state.axis) return;
      const dragged = Math.abs(e.clientX - start) >= CLICK_SLOP;
      const a = dayAt(Math.min(start, e.clientX));
      const b = dayAt(Math.max(start, e.clientX));
      drop();
      if (dragged) setRange([fromDay(a), fromDay(b)]);
      else if (state.range) setRange(null);
    });
    document.getElementById("clear-range").addEventListener("click", () => setRange(null));
  }

  function setRange(range) {
    state.range = range;
    document.getElementById("range").textContent = range ? (range[0] === range[1] ? range[0] : `${range[0]} \u2013 ${range[1]}`) : "all dates";
    document.getElementById("clear-range").hidden = !range;
    drawTimeline();
    loadIncidents();
  }

  // ---- filters and loading -------------------------------------------------------------------

  function fillSelect(name, buckets, labelOf) {
    const s = document.querySelector(`#filters [name=${name}]`);
    const options = buckets.filter((b) => b.key).map((b) => ({ key: b.key, text: labelOf(b.key), n: b.incidents }));
    options.sort((a, b) => a.text.localeCompare(b.text));
    for (const o of options) s.append(el("option", { value: o.key }, `${o.text} (${o.n})`));
  }

  function readFilters() {
    const f = {};
    for (const input of document.querySelectorAll("#filters [name]")) {
      if (input.value.trim() !== "") f[input.name] = input.value.trim();
    }
    state.filters = f;
  }

  async function loadIncidents() {
    const seq = ++state.loadSeq;
    const extra = { limit: PAGE };
    if (state.range) {
      extra.since = state.range[0];
      extra.until = state.range[1];
    }
    try {
      const page = await api(`/api/incidents?${query(extra)}`);
      if (seq !== state.loadSeq) return; // a newer request is on its way
      state.incidents = new Map(page.incidents.map((i) => [i.id, i]));
      drawMarkers(page.incidents);
      drawList(page);
      const killed = page.incidents.reduce((n, i) => n + (i.killed ? i.killed.best : 0), 0);
      document.getElementById("summary").textContent = `${plural(page.total, "incident")} \u00b7 ${killed} killed (best estimates, shown incidents)`;
      document.body.dataset.loaded = "true";
    } catch (err) {
      if (seq === state.loadSeq) showError(document.getElementById("list"), err);
    }
  }

  async function loadStats() {
    const seq = ++state.statsSeq;
    try {
      const s = await api(`/api/stats?${query({})}`);
      if (seq !== state.statsSeq) return s;
      state.days = s.by_day;
      drawTimeline();
      return s;
    } catch (err) {
      showError(document.getElementById("list"), err);
      return null;
    }
  }

  async function refresh() {
    readFilters();
    await Promise.all([loadStats(), loadIncidents()]);
  }

  function initFilters() {
    let timer = null;
    const form = document.getElementById("filters");
    form.addEventListener("submit", (e) => e.preventDefault());
    form.addEventListener("change", refresh);
    form.addEventListener("input", (e) => {
      if (e.target.type !== "search" && e.target.type !== "number") return;
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
    const toggle = document.getElementById("filters-toggle");
    toggle.addEventListener("click", () => {
      const open = document.body.classList.toggle("filters-open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }

  async function start() {
    await loadLabels();
    initMap();
    initTimeline();
    initFilters();
    document.getElementById("range").textContent = "all dates";
    const [all] = await Promise.all([loadStats(), loadIncidents()]);
    if (all) {
      fillSelect("family", all.by_family, familyLabel);
      fillSelect("type", all.by_type, typeLabel);
      fillSelect("country", all.by_country, countryName);
    }
    document.getElementById("close-panel").addEventListener("click", closePanel);
    document.getElementById("to-map").addEventListener("click", () => document.getElementById("map").scrollIntoView({ block: "start" }));
    window.addEventListener("resize", drawTimeline);
    const m = /^#incident=(\d+)$/.exec(location.hash);
    if (m) openIncident(Number(m[1]));
  }

  start();
})();
