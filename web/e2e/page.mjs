// Browser test of the sitrep page, in Debian's headless Chromium through playwright-core.
//
//   node web/e2e/page.mjs URL OUT_DIR
//
// URL is a running `sitrep demo` that was given crates/sitrep/tests/fixtures/hostile-report.jsonl.
// Checks: markers on the map; clicking one opens the incident panel with the figure's sentence
// marked; the timeline filters by dragging; a report whose text and title carry <script> and
// <img onerror> shows them as text and runs nothing. Writes OUT_DIR/page.png and
// OUT_DIR/incident.png. Exits non-zero with a message on the first failed check.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

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
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console error: ${m.text()}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));

  await page.goto(url);
  await page.waitForSelector("body[data-loaded=true]", { timeout: 15000 });
  await page.waitForSelector("path.incident-marker", { timeout: 15000 });
  const markers = await page.locator("path.incident-marker").count();
  const placed = (await json("api/incidents?limit=1000")).incidents.filter((i) => i.lat !== null);
  check(markers === placed.length && markers > 0, `${markers} markers on the map, one per placed incident (${placed.length})`);
  const borders = await page.locator(".leaflet-overlay-pane path:not(.incident-marker)").count();
  check(borders > 100, `the offline basemap drew ${borders} country shapes`);

  // Click the marker of the deadliest placed incident and read its panel.
  const target = placed.filter((i) => i.killed).sort((a, b) => b.killed.best - a.killed.best)[0];
  check(Boolean(target), "some placed incident has a death toll");
  await page.locator(`path.incident-${target.id}`).click({ force: true });
  await page.waitForSelector("[data-testid=excerpt] mark.killed", { timeout: 10000 });
  const title = await page.locator("[data-testid=incident-title]").textContent();
  const hash = await page.evaluate(() => location.hash);
  check(hash === `#incident=${target.id}` && title.length > 0, `clicking the marker opened incident ${target.id}: "${title.trim()}"`);
  const detail = await json(`api/incidents/${target.id}`);
  const figureTexts = detail.reports.flatMap((r) => r.extracted.figures.filter((f) => f.kind === "killed").map((f) => f.evidence.text));
  const marked = await page.locator("[data-testid=excerpt] mark.killed").allTextContents();
  check(
    marked.length > 0 && marked.every((m) => figureTexts.includes(m)),
    `the killed figure is highlighted in its sentence: ${JSON.stringify(marked)}`
  );
  // The sentence shown is the report's own text at the excerpt's byte span.
  const sentence = await page.locator("[data-testid=excerpt]").first().textContent();
  const source = detail.reports[0];
  // The example reports are far below the 1 MiB a text piece holds: one piece is the whole text.
  const report = await json(`api/reports/${source.report}?text=1`);
  const bytes = new TextEncoder().encode(report.text);
  const { start, end } = source.excerpts[0];
  const expected = new TextDecoder().decode(bytes.subarray(start, end));
  check(sentence === expected, "the excerpt shown is the report's sentence at its byte span, character for character");
  await page.screenshot({ path: `${outDir}/incident.png` });

  // Drag across the left half of the timeline: the list narrows to that date range.
  await page.click("#close-panel");
  const before = await page.locator("#list li").count();
  const box = await page.locator("#timeline").boundingBox();
  await page.mouse.move(box.x + 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => document.getElementById("range").textContent.includes("\u2013"));
  const range = (await page.locator("#range").textContent()).split(" \u2013 ");
  const inRange = await json(`api/incidents?since=${range[0]}&until=${range[1]}&limit=1000`);
  await page.waitForFunction((n) => document.querySelectorAll("#list li").length === n, inRange.incidents.length);
  check(inRange.total < before, `dragging the timeline to ${range.join("..")} narrowed the list from ${before} to ${inRange.total}`);
  await page.click("#clear-range");
  await page.waitForFunction((n) => document.querySelectorAll("#list li").length === n, before);
  await page.screenshot({ path: `${outDir}/page.png` });

  // The hostile report: its markup must show as text and never run.
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
  const allowed = ["h2", "h4", "div", "span", "p", "mark", "ul", "li", "b", "button", "a"];
  check(tags.every((t) => allowed.includes(t)), `only the page's own elements were created (${tags.join(", ")})`);
  await page.waitForTimeout(300);
  // (With the CSP, inline handlers could not run anyway; this catches a regression in both.)
  check((await page.evaluate(() => window.__xss)) === undefined, "no script from report text ran");
  check(problems.length === 0, `no page errors, console errors or failed requests${problems.length ? ": " + problems.join("; ") : ""}`);
} catch (e) {
  console.error(String(e.stack || e));
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
