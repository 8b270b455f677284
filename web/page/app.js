// The sitrep page: map, timeline, filters, list and incident panel over the JSON API.
//
// Article text is untrusted. Every string from the API reaches the page through text nodes
// (`el` below); nothing here assigns HTML. The server's Content-Security-Policy forbids inline
// scripts as a second guard.
(function () {
  "use strict";

  const FAMILY_COLORS = {
    battles: "#b3261e",
    explosions_remote_violence: "#e07b00",
    violence_against_civilians: "#7b2d8e",
    protests: "#1f6fb5",
    riots: "#8a5a2b",
    strategic_developments: "#5f6b7a",
    diplomacy: "#2e7d4f",
  };
  const PAGE = 1000; // the API's largest page
  const DAY_MS = 86400000;

  const state = {
    filters: {},
    range: null, // [since, until] as YYYY-MM-DD, from the timeline
    days: [], // by_day buckets of the whole store under the current filters
    markers: new Map(), // incident id -> Leaflet marker
    map: null,
    osm: null,
    markerLayer: null,
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
      else if (k === "color") e.style.background = v; // through CSSOM: the CSP allows no style attributes
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

  const label = (s) => (s || "").replace(/_/g, " ");
  const color = (family) => FAMILY_COLORS[family] || "#444";

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

  function showError(where, err) {
    where.replaceChildren(el("p", { class: "nomap", role: "alert" }, `Could not load: ${err.message}`));
  }

  // ---- the map -------------------------------------------------------------------------------

  function initMap() {
    const box = document.getElementById("map");
    const bundled = document.documentElement.dataset.mapBundled === "true";
    if (!bundled || typeof L === "undefined") {
      box.append(el("p", { class: "nomap" }, "The map library was not bundled into this build (npm was unavailable); incidents are listed on the right."));
      document.getElementById("osm").disabled = true;
      return;
    }
    const map = L.map(box, { worldCopyJump: true, preferCanvas: false }).setView([20, 20], 2);
    state.map = map;
    state.markerLayer = L.layerGroup().addTo(map);
    map.attributionControl.addAttribution("Borders: Natural Earth via world-atlas");
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

  function drawMarkers(incidents) {
    state.markers.clear();
    if (!state.map) return;
    state.markerLayer.clearLayers();
    const placed = [];
    for (const i of incidents) {
      if (i.lat === null || i.lon === null) continue;
      const killed = i.killed ? i.killed.best : 0;
      const m = L.circleMarker([i.lat, i.lon], {
        radius: 5 + Math.min(14, Math.sqrt(killed) * 1.6),
        color: "#ffffff",
        weight: 1,
        fillColor: color(i.family),
        fillOpacity: 0.85,
        className: `incident-marker incident-${i.id}`,
      });
      const tip = `${label(i.type)}${i.location ? " \u00b7 " + i.location : ""} \u00b7 ${dates(i)}`;
      m.bindTooltip(el("span", {}, tip)); // a string would be set as HTML by Leaflet
      m.on("click", () => openIncident(i.id));
      m.addTo(state.markerLayer);
      state.markers.set(i.id, m);
      placed.push([i.lat, i.lon]);
    }
    if (placed.length && !state.fitted) {
      state.map.fitBounds(placed, { padding: [30, 30], maxZoom: 6 });
      state.fitted = true;
    }
  }

  // ---- list and summary ----------------------------------------------------------------------

  function drawList(page) {
    const list = document.getElementById("list");
    const note = document.getElementById("list-note");
    const shown = page.incidents.length;
    note.textContent =
      page.total > shown ? `Showing the ${shown} latest of ${page.total} incidents; narrow the filters to see the rest.` : `${page.total} incidents`;
    list.replaceChildren(
      ...page.incidents.map((i) => {
        const figures = [];
        if (i.killed) figures.push(`${estimate(i.killed)} killed`);
        if (i.injured) figures.push(`${estimate(i.injured)} injured`);
        const li = el(
          "li",
          { tabindex: 0, "data-incident": i.id, onclick: () => openIncident(i.id), onkeydown: (e) => e.key === "Enter" && openIncident(i.id) },
          el("div", { class: "what" }, el("span", { class: "dot", color: color(i.family) }), label(i.type), i.location ? ` \u00b7 ${i.location}` : "", i.country ? ` (${i.country})` : ""),
          el("div", { class: "meta" }, [dates(i), figures.join(", "), i.initiator ? `by ${i.initiator}` : "", `${i.sources} source${i.sources === 1 ? "" : "s"}`].filter(Boolean).join(" \u00b7 "))
        );
        return li;
      })
    );
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
    const cuts = spans
      .filter((s) => s.start < s.end && s.end <= bytes.length)
      .sort((a, b) => a.start - b.start);
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

  function sourceView(s) {
    const figures = [];
    if (s.killed !== null) figures.push(`${s.killed} killed`);
    if (s.injured !== null) figures.push(`${s.injured} injured`);
    const cited = (s.extracted && s.extracted.attributed_to ? s.extracted.attributed_to : []).map((p) => (p.title ? `${p.name}, ${p.title}` : p.name));
    const textBox = el("div");
    const spans = (s.evidence || []).map((e) => ({ start: e.start, end: e.end }));
    const more = el(
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
    return el(
      "div",
      { class: "source", "data-testid": "source" },
      el("h4", {}, s.title ? (s.url ? safeLink(s.url, s.title) : s.title) : `report ${s.report}`),
      el("div", { class: "meta" }, [s.source, s.published, `event ${s.event}`, figures.join(", ")].filter(Boolean).join(" \u00b7 ")),
      cited.length ? el("div", { class: "meta" }, `according to ${cited.join("; ")}`) : null,
      s.excerpts.map((x) => el("p", { class: "excerpt", "data-testid": "excerpt" }, segmentNodes(x))),
      s.quotes.length
        ? el(
            "ul",
            { class: "quotes" },
            s.quotes.map((q) => el("li", {}, `\u201c${q.text}\u201d `, el("span", { class: "who" }, q.speaker ? `\u2014 ${q.speaker.name}` : "\u2014 speaker unknown")))
          )
        : null,
      el("div", { class: "why" }, `why here: ${reason(s.merge_reason)}`),
      more,
      textBox
    );
  }

  function reason(r) {
    if (!r || typeof r !== "object") return "unknown";
    switch (r.decision || r.kind || r.outcome) {
      case "merged":
        return [r.rule, r.distance_km !== null && r.distance_km !== undefined ? `${Number(r.distance_km).toFixed(1)} km apart` : "no place to compare", `${r.day_gap} day${r.day_gap === 1 ? "" : "s"} apart`, `${r.candidates} candidate${r.candidates === 1 ? "" : "s"}`].filter(Boolean).join(", ");
      case "new":
        return `first report (${r.candidates} candidate${r.candidates === 1 ? "" : "s"} checked, none compatible)`;
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

  async function openIncident(id) {
    const seq = ++state.panelSeq;
    const panel = document.getElementById("panel");
    const body = document.getElementById("panel-body");
    panel.hidden = false;
    document.getElementById("list-wrap").hidden = true;
    body.replaceChildren(el("p", { class: "meta" }, "loading\u2026"));
    if (location.hash !== `#incident=${id}`) history.replaceState(null, "", `#incident=${id}`);
    try {
      const i = await api(`/api/incidents/${encodeURIComponent(id)}`);
      if (seq !== state.panelSeq) return; // another incident was opened meanwhile
      body.replaceChildren(
        el("h2", { "data-testid": "incident-title" }, el("span", { class: "dot", color: color(i.family) }), label(i.type), i.location ? ` \u00b7 ${i.location}` : ""),
        el("div", { class: "meta" }, [label(i.family), dates(i), i.country, i.admin1, i.precision ? `${i.precision} precision` : null].filter(Boolean).join(" \u00b7 ")),
        el("div", { class: "meta" }, [i.initiator ? `initiator: ${i.initiator}` : null, i.target ? `target: ${i.target}` : null].filter(Boolean).join(" \u00b7 ")),
        el("div", { class: "figures" }, figureBox("killed", i.killed), figureBox("injured", i.injured)),
        el("div", { class: "meta" }, `${i.reports.length} account${i.reports.length === 1 ? "" : "s"} from ${i.sources} report${i.sources === 1 ? "" : "s"}`),
        ...i.reports.map(sourceView)
      );
      const m = state.markers.get(i.id);
      if (m && state.map) state.map.panTo(m.getLatLng());
    } catch (err) {
      if (seq === state.panelSeq) showError(body, err);
    }
  }

  function closePanel() {
    state.panelSeq++;
    document.getElementById("panel").hidden = true;
    document.getElementById("list-wrap").hidden = false;
    history.replaceState(null, "", location.pathname + location.search);
  }

  // ---- the timeline --------------------------------------------------------------------------

  const toDay = (s) => Date.parse(`${s}T00:00:00Z`) / DAY_MS;
  const fromDay = (d) => new Date(Math.round(d) * DAY_MS).toISOString().slice(0, 10);

  function drawTimeline() {
    const svg = document.getElementById("timeline");
    const w = svg.clientWidth || 800;
    const h = svg.clientHeight || 70;
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    const ns = "http://www.w3.org/2000/svg";
    const node = (tag, attrs) => {
      const n = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
      return n;
    };
    svg.replaceChildren();
    const days = state.days;
    state.axis = null;
    if (!days.length) return;
    const first = toDay(days[0].key);
    const last = toDay(days[days.length - 1].key) + 1;
    const span = Math.max(1, last - first);
    // At most ~240 bars: days are grouped into bins of `bin` days on long timelines.
    const bin = Math.max(1, Math.ceil(span / 240));
    const bins = new Map();
    for (const d of days) {
      const k = Math.floor((toDay(d.key) - first) / bin);
      const b = bins.get(k) || { incidents: 0, killed: 0 };
      b.incidents += d.incidents;
      b.killed += d.killed;
      bins.set(k, b);
    }
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
      const bar = node("rect", { x: x(from), y: plotH - bh, width: barW, height: bh, class: inside ? "bar in" : "bar" });
      const t = node("title", {});
      t.textContent = `${bin === 1 ? fromDay(from) : `${fromDay(from)} \u2013 ${fromDay(to)}`}: ${b.incidents} incidents, ${b.killed} killed`;
      bar.append(t);
      svg.append(bar);
    }
    for (const [pos, anchor, text] of [[2, "start", days[0].key], [w - 2, "end", days[days.length - 1].key]]) {
      const t = node("text", { x: pos, y: h - 2, "text-anchor": anchor });
      t.textContent = text;
      svg.append(t);
    }
    if (state.range) {
      const a = x(toDay(state.range[0]));
      const b = x(toDay(state.range[1]) + 1);
      svg.append(node("rect", { class: "sel", x: a, y: 0, width: Math.max(2, b - a), height: plotH }));
    }
  }

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
    svg.addEventListener("pointerdown", (e) => {
      if (!state.axis) return;
      start = e.clientX;
      svg.setPointerCapture(e.pointerId);
      sel = document.createElementNS("http://www.w3.org/2000/svg", "rect");
      sel.setAttribute("class", "sel");
      svg.append(sel);
    });
    svg.addEventListener("pointermove", (e) => {
      if (start === null || !state.axis) return;
      const r = svg.getBoundingClientRect();
      const scale = (state.axis.w || r.width) / r.width;
      const a = (Math.min(start, e.clientX) - r.left) * scale;
      const b = (Math.max(start, e.clientX) - r.left) * scale;
      sel.setAttribute("x", a);
      sel.setAttribute("y", 0);
      sel.setAttribute("width", Math.max(1, b - a));
      sel.setAttribute("height", r.height - 14);
    });
    svg.addEventListener("pointercancel", () => {
      start = null;
      if (sel) sel.remove();
    });
    svg.addEventListener("pointerup", (e) => {
      if (start === null || !state.axis) return;
      const a = dayAt(Math.min(start, e.clientX));
      const b = dayAt(Math.max(start, e.clientX));
      start = null;
      setRange([fromDay(a), fromDay(b)]);
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

  function fillSelect(name, buckets) {
    const s = document.querySelector(`#filters [name=${name}]`);
    for (const b of buckets) {
      if (!b.key) continue;
      s.append(el("option", { value: b.key }, `${label(b.key)} (${b.incidents})`));
    }
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
      drawMarkers(page.incidents);
      drawList(page);
      const killed = page.incidents.reduce((n, i) => n + (i.killed ? i.killed.best : 0), 0);
      document.getElementById("summary").textContent = `${page.total} incidents \u00b7 ${killed} killed (best estimates, shown incidents)`;
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

  async function start() {
    initMap();
    initTimeline();
    setRange(null);
    const all = await loadStats();
    if (all) {
      fillSelect("family", all.by_family);
      fillSelect("type", all.by_type);
      fillSelect("country", all.by_country);
    }
    let timer = null;
    const form = document.getElementById("filters");
    form.addEventListener("submit", (e) => e.preventDefault());
    form.addEventListener("change", refresh);
    form.addEventListener("input", (e) => {
      if (e.target.type !== "search" && e.target.type !== "number") return;
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
    document.getElementById("close-panel").addEventListener("click", closePanel);
    window.addEventListener("resize", drawTimeline);
    const m = /^#incident=(\d+)$/.exec(location.hash);
    if (m) openIncident(Number(m[1]));
  }

  start();
})();
