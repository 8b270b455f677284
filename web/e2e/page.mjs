// Browser test of the sitrep page, in Debian's headless Chromium through playwright-core.
//
//   node web/e2e/page.mjs URL OUT_DIR
//
// URL is a running `sitrep demo` that was given crates/sitrep/tests/fixtures/hostile-report.jsonl.
// Checks, at 1400x900: every placed incident is on the map (as a marker or in a cluster's count);
// a legend names every family in words; no raw identifier is shown; two incidents at one point
// can each be clicked; opening an incident from the list flies the map to it and highlights its
// marker and list item, and marks the figure in its sentence; a click on the timeline keeps the
// list, a drag filters it, a click clears the range; markup in a report stays text. At 400x850:
// nothing is wider than the screen, the incident panel is nearly the screen's width and readable.
// Writes OUT_DIR/desktop.png, OUT_DIR/phone.png and OUT_DIR/phone-map.png, each checked for its
// size and that it is not blank. Exits non-zero with a message on the first failed check.
import { chromium } from "playwright-core";
import { mkdirSync, readFileSync } from "node:fs";

const [url, outDir] = process.argv.slice(2);
if (!url || !outDir) {
  console.error("usage: node page.mjs URL OUT_DIR");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

function check(ok, what) {
  if (!ok) throw new Error(`check failed: ${what}`);
  console.log(`ok: ${what}`);
}

async function json(path) {
  const r = await fetch(new URL(path, url));
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

const labels = await json("api/labels");
const familyLabel = new Map(labels.families.map((f) => [f.key, f.label]));
const typeLabel = new Map(labels.families.flatMap((f) => f.types.map((t) => [t.key, t.label])));
const placed = (await json("api/incidents?limit=1000")).incidents.filter((i) => i.lat !== null);

/** A page at the given size that records errors, loaded and ready. */
async function open(width, height, problems) {
  const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console error: ${m.text()}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
  await page.goto(url);
  await page.waitForSelector("body[data-loaded=true]", { timeout: 15000 });
  await page.waitForSelector(".incident-marker, .incident-cluster", { timeout: 15000 });
  return page;
}

/** Width, height and how many distinct colours a PNG has, decoded by the browser itself. */
async function pngStats(path) {
  const page = await browser.newPage();
  const data = `data:image/png;base64,${readFileSync(path).toString("base64")}`;
  const stats = await page.evaluate(async (src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const px = ctx.getImageData(0, 0, c.width, c.height).data;
    const colours = new Set();
    for (let k = 0; k < px.length; k += 4 * 7) colours.add((px[k] >> 3) * 1024 + (px[k + 1] >> 3) * 32 + (px[k + 2] >> 3));
    return { width: img.width, height: img.height, colours: colours.size };
  }, data);
  await page.close();
  return stats;
}

async function screenshot(page, name, width, height) {
  const path = `${outDir}/${name}`;
  await page.screenshot({ path });
  const s = await pngStats(path);
  check(s.width === width && s.height === height && s.colours > 40, `screenshot ${path}: ${s.width}x${s.height}, ${s.colours} colours`);
}

/** Every placed incident is a marker or counted in a cluster. */
async function checkMarkers(page) {
  const markers = await page.locator(".incident-marker").count();
  const clustered = await page.$$eval(".incident-cluster [data-incidents]", (cs) => cs.reduce((n, c) => n + c.dataset.incidents.split(",").length, 0));
  check(markers + clustered === placed.length && placed.length > 0, `${markers} markers and ${clustered} clustered incidents: every placed incident (${placed.length}) is on the map`);
  const borders = await page.locator(".leaflet-overlay-pane path").count();
  check(borders > 100, `the offline basemap drew ${borders} country shapes`);
}

/** The legend names every family in words, and no JSON identifier is shown anywhere. */
async function checkLabels(page) {
  const legend = page.locator("[data-testid=legend]");
  check(await legend.isVisible(), "a legend is on the map");
  const text = await legend.innerText();
  const missing = [...familyLabel.values()].filter((l) => !text.includes(l));
  check(missing.length === 0 && text.includes("Explosions/Remote violence") && /killed/.test(text), `the legend names every family and says what marker size means${missing.length ? "; missing " + missing : ""}`);
  check((await legend.locator("svg.symbol").count()) >= familyLabel.size, "each family has its symbol in the legend");
  const shown = await page.evaluate(() => document.body.innerText + [...document.querySelectorAll("option")].map((o) => o.textContent).join("\n"));
  const raw = [...familyLabel.keys(), ...typeLabel.keys()].filter((k) => k.includes("_") && shown.includes(k));
  check(raw.length === 0, `no raw identifier is shown (found: ${raw.join(", ") || "none"})`);
  const first = placed[0];
  const li = await page.locator(`#list li[data-incident="${first.id}"]`).innerText();
  check(li.includes(typeLabel.get(first.type)), `the list says "${typeLabel.get(first.type)}" for incident ${first.id}`);
}

/** Open the cluster holding `id` (zooming in, then spreading) until its marker is shown. */
async function reveal(page, id) {
  for (let k = 0; k < 10 && !(await page.locator(`.incident-${id}`).isVisible()); k++) {
    const cluster = page.locator(".incident-cluster [data-incidents]");
    const all = await cluster.evaluateAll((cs, id) => cs.map((c, n) => (c.dataset.incidents.split(",").includes(String(id)) ? n : -1)).filter((n) => n >= 0), id);
    if (!all.length) break;
    await cluster.nth(all[0]).click();
    await page.waitForTimeout(700);
  }
}

/** Two incidents at the same point: each can be clicked and opens itself. */
async function checkSamePoint(page) {
  const at = new Map();
  for (const i of placed) at.set(`${i.lat},${i.lon}`, [...(at.get(`${i.lat},${i.lon}`) || []), i]);
  const pair = [...at.values()].find((g) => g.length >= 2);
  check(Boolean(pair), `the demo has incidents at one point (${pair ? pair.map((i) => i.id).join(", ") : "none"})`);
  await page.goto(url); // back to the whole world, where they share a cluster with their neighbours
  await page.waitForSelector("body[data-loaded=true]", { timeout: 15000 });
  await page.waitForSelector(".incident-cluster", { timeout: 15000 });
  for (const i of pair.slice(0, 2)) {
    await reveal(page, i.id);
    await page.locator(`.incident-${i.id}`).click(); // no force: the marker itself must take the click
    await page.waitForFunction((id) => document.body.dataset.focused === String(id), i.id, { timeout: 10000 });
    const title = await page.locator("[data-testid=incident-title]").textContent();
    const hash = await page.evaluate(() => location.hash);
    check(hash === `#incident=${i.id}` && title.includes(typeLabel.get(i.type)), `incident ${i.id} at ${i.location} (one of ${pair.length} there) opened by its own marker: "${title}"`);
  }
}

/** Opening from the list flies to the incident and highlights it on the map and in the list. */
async function checkSelection(page, target) {
  const before = Number(await page.locator("#map").getAttribute("data-zoom"));
  await page.locator(`#list li[data-incident="${target.id}"]`).click();
  await page.waitForFunction((id) => document.body.dataset.focused === String(id), target.id, { timeout: 10000 });
  await page.waitForSelector("[data-testid=excerpt] mark.killed", { timeout: 10000 });
  const zoom = Number(await page.locator("#map").getAttribute("data-zoom"));
  const marker = await page.locator(`.incident-marker.incident-${target.id}.selected`).boundingBox();
  const map = await page.locator("#map").boundingBox();
  const inside = marker && marker.x >= map.x && marker.y >= map.y && marker.x + marker.width <= map.x + map.width && marker.y + marker.height <= map.y + map.height;
  check(zoom >= 6 && zoom > before && inside, `selecting incident ${target.id} zoomed the map in (${before} to ${zoom}) to its highlighted marker`);
  check((await page.locator(".incident-marker.selected").count()) === 1, "exactly one marker is highlighted");
  const items = await page.locator("#list li.selected").evaluateAll((ls) => ls.map((l) => l.dataset.incident));
  check(items.length === 1 && items[0] === String(target.id), `its list item is highlighted (${items})`);
  check((await page.locator("[data-testid=timeline-pick]").count()) === 1, "its date is marked on the timeline");
}

/** The killed figure is marked in the sentence, and the sentence is the report's own text. */
async function checkSentence(page, target) {
  const detail = await json(`api/incidents/${target.id}`);
  const figureTexts = detail.reports.flatMap((r) => r.extracted.figures.filter((f) => f.kind === "killed").map((f) => f.evidence.text));
  const marked = await page.locator("[data-testid=excerpt] mark.killed").allTextContents();
  check(marked.length > 0 && marked.every((m) => figureTexts.includes(m)), `the killed figure is highlighted in its sentence: ${JSON.stringify(marked)}`);
  const sentence = await page.locator("[data-testid=excerpt]").first().textContent();
  const source = detail.reports[0];
  // The example reports are far below the 1 MiB a text piece holds: one piece is the whole text.
  const report = await json(`api/reports/${source.report}?text=1`);
  const bytes = new TextEncoder().encode(report.text);
  const { start, end } = source.excerpts[0];
  check(sentence === new TextDecoder().decode(bytes.subarray(start, end)), "the excerpt shown is the report's sentence at its byte span, character for character");
}

/** A click on the timeline keeps the list; a drag filters it; a click clears the range. */
async function checkTimeline(page) {
  await page.click("#close-panel");
  const count = () => page.locator("#list li").count();
  const before = await count();
  const box = await page.locator("#timeline").boundingBox();
  const y = box.y + box.height / 2;
  await page.mouse.click(box.x + box.width * 0.3, y);
  await page.waitForTimeout(600);
  const range = await page.locator("#range").textContent();
  check((await count()) === before && range === "all dates", `a click on the timeline keeps the list (${before} incidents, ${range})`);
  await page.mouse.move(box.x + 2, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, y, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => document.getElementById("range").textContent.includes("\u2013"));
  const chosen = (await page.locator("#range").textContent()).split(" \u2013 ");
  const inRange = await json(`api/incidents?since=${chosen[0]}&until=${chosen[1]}&limit=1000`);
  await page.waitForFunction((n) => document.querySelectorAll("#list li").length === n, inRange.incidents.length);
  check(inRange.total < before && inRange.total > 0, `dragging the timeline to ${chosen.join("..")} narrowed the list from ${before} to ${inRange.total}`);
  await page.mouse.click(box.x + box.width * 0.8, y);
  await page.waitForFunction((n) => document.querySelectorAll("#list li").length === n, before);
  check((await page.locator("#range").textContent()) === "all dates", "a click on the timeline cleared the range and brought the list back");
}

/** The report whose text and title carry markup: shown as text, nothing runs. */
async function checkHostile(page) {
  const hostile = await json("api/incidents?text=onerror&limit=10");
  check(hostile.total > 0, "the report with markup in its text was ingested and found by full-text search");
  await page.goto(`${url}#incident=${hostile.incidents[0].id}`);
  await page.reload();
  await page.waitForSelector("[data-testid=source]", { timeout: 10000 });
  await page.locator("[data-testid=source] button", { hasText: "full report" }).first().click();
  await page.waitForSelector("[data-testid=fulltext]");
  const panelText = await page.locator("#panel").textContent();
  check(panelText.includes("<script>window.__xss='script'</script>"), "a <script> in the report text is shown as text");
  check(panelText.includes(`<img src=x onerror="window.__xss='img'">`), "an <img onerror> in the report text is shown as text");
  const heading = await page.locator("[data-testid=source] h4").first().textContent();
  check(heading.includes(`<img src=x onerror="window.__xss='title'">`), "markup in the report title is shown as text in its heading");
  check((await page.locator('a[href^="javascript:"]').count()) === 0, "a javascript: URL is not made a link");
  // Every element in the panel and list is one app.js creates: nothing came from report text.
  const tags = await page.evaluate(() => [...new Set([...document.querySelectorAll("#panel-body *, #list *")].map((e) => e.tagName.toLowerCase()))]);
  const allowed = ["h2", "h4", "div", "span", "p", "mark", "ul", "li", "b", "button", "a", "svg", "path"];
  check(tags.every((t) => allowed.includes(t)), `only the page's own elements were created (${tags.join(", ")})`);
  await page.waitForTimeout(300);
  // (With the CSP, inline handlers could not run anyway; this catches a regression in both.)
  check((await page.evaluate(() => window.__xss)) === undefined, "no script from report text ran");
}

/** At 400x850: one column, nothing cut off, the panel nearly the screen's width and readable. */
async function checkPhone(target, problems) {
  const page = await open(400, 850, problems);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= 400, `nothing is wider than the 400 px screen (${wide} px)`);
  check(await page.locator("[data-testid=legend] summary").isVisible(), "the legend can be opened on a phone");
  await page.locator(`#list li[data-incident="${target.id}"]`).click();
  await page.waitForSelector("[data-testid=excerpt] mark.killed", { timeout: 10000 });
  await page.waitForFunction((id) => document.body.dataset.focused === String(id), target.id, { timeout: 10000 });
  const panel = await page.locator("#panel").evaluate((p) => {
    const r = p.getBoundingClientRect();
    return { width: r.width, height: r.height, clipped: p.scrollHeight > p.clientHeight + 2, font: parseFloat(getComputedStyle(p).fontSize), top: r.top };
  });
  check(panel.width >= 360 && panel.height >= 200 && !panel.clipped && panel.font >= 13, `on a phone the panel is ${panel.width}x${Math.round(panel.height)} px, not clipped, ${panel.font} px text`);
  check(Math.abs(panel.top) < 5, "opening an incident on a phone scrolls its panel into view");
  const title = await page.locator("[data-testid=incident-title]").boundingBox();
  const excerpt = await page.locator("[data-testid=excerpt]").first().boundingBox();
  check(title.x >= 0 && title.x + title.width <= 400 && excerpt.x >= 0 && excerpt.x + excerpt.width <= 400, "the title and the sentence fit the screen's width");
  await screenshot(page, "phone.png", 400, 850);
  await page.click("#to-map");
  await page.waitForTimeout(300);
  const marker = await page.locator(`.incident-marker.incident-${target.id}.selected`).boundingBox();
  check(marker && marker.x >= 0 && marker.x + marker.width <= 400 && marker.y >= 0 && marker.y < 850, "the map button shows the map with the incident highlighted");
  await screenshot(page, "phone-map.png", 400, 850);
  await page.close();
}

let failed = false;
try {
  const problems = [];
  check(placed.length > 1, `the demo has incidents placed on the map (${placed.length})`);
  const page = await open(1400, 900, problems);
  await checkMarkers(page);
  await checkLabels(page);
  const target = placed.filter((i) => i.killed).sort((a, b) => b.killed.best - a.killed.best)[0];
  check(Boolean(target), "some placed incident has a death toll");
  await checkSelection(page, target);
  await checkSentence(page, target);
  await page.waitForTimeout(400);
  await screenshot(page, "desktop.png", 1400, 900);
  await checkSamePoint(page);
  await checkTimeline(page);
  await checkPhone(target, problems);
  await checkHostile(page);
  check(problems.length === 0, `no page errors, console errors or failed requests${problems.length ? ": " + problems.join("; ") : ""}`);
} catch (e) {
  console.error(String(e.stack || e));
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
