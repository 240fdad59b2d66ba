// Drives headless Chromium (playwright-core, Debian's chromium) through the generated site from
// file://: loads the index, types in the search box and reads what the list shows, opens an
// event page, clicks a copy button, follows every local link of the pages it visits (checking
// the file and the anchor exist), and checks a phone-sized viewport does not scroll sideways.
// Collects console errors, page errors and failed requests. Prints a JSON summary.
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { pathToFileURL, fileURLToPath } = require("url");
const { chromium } = require("playwright-core");

const siteDir = path.resolve(process.argv[2]);
const executablePath = process.env.ENS_CHROMIUM || "/usr/bin/chromium";

async function main() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ens-site-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
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
    viewport: { width: 1200, height: 900 },
  });
  const problems = [];
  const watch = (page) => {
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console error on ${page.url()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
    page.on("requestfailed", (request) => problems.push(`request failed on ${page.url()}: ${request.url()}`));
  };
  try {
    const page = await context.newPage();
    watch(page);
    const indexUrl = pathToFileURL(path.join(siteDir, "index.html")).href;
    await page.goto(indexUrl);

    const visible = () => page.$$eval(".entry", (entries) =>
      entries.filter((entry) => !entry.hidden && entry.offsetParent !== null)
        .map((entry) => entry.querySelector("a code").textContent));
    const before = await visible();

    await page.click("#search");
    await page.keyboard.type("tierUp", { delay: 20 });
    const afterName = await visible();
    const status = await page.textContent("#search-status");

    await page.fill("#search", "");
    await page.keyboard.type("upgradedTierNumber", { delay: 10 });
    const afterField = await visible();
    const fieldHits = await page.$$eval(".entry:not([hidden]) .field-hits a", (links) =>
      links.map((link) => link.getAttribute("href")));

    const unresolvedFieldHits = fieldHits.filter((href) => {
      const [file, anchor] = href.split("#");
      const target = path.join(siteDir, file);
      return !fs.existsSync(target) || !fs.readFileSync(target, "utf8").includes(`id="${anchor}"`);
    });

    await page.fill("#search", "");
    await page.keyboard.type("zzzz-no-such-thing");
    const afterNothing = await visible();
    const noMatchShown = await page.isVisible("#no-match");
    await page.fill("#search", "");
    await page.keyboard.type("tierUpgraded");

    await Promise.all([page.waitForLoadState("load"), page.click("a[href='events/tierUpgraded.html']")]);
    const eventUrl = page.url();
    const eventTitle = await page.textContent("h1");
    const fieldRows = await page.$$eval("table.fields tbody tr", (rows) => rows.length);
    const copyButtons = await page.$$eval("button.copy", (buttons) => buttons.length);
    await page.click("button.copy");
    await page.waitForFunction(() => document.querySelector("button.copy").textContent !== "Copy");
    const copyLabel = await page.textContent("button.copy");

    // Every local link of the index, this event page and the pages they link to.
    const checked = new Set();
    const brokenLinks = [];
    const pagesVisited = [];
    const queue = [indexUrl, eventUrl];
    const probe = await context.newPage();
    watch(probe);
    while (queue.length > 0) {
      const url = queue.shift();
      const bare = url.split("#")[0];
      if (pagesVisited.includes(bare)) continue;
      pagesVisited.push(bare);
      await probe.goto(bare);
      const links = await probe.$$eval("a[href], link[href], script[src]", (elements) =>
        elements.map((element) => element.href || element.src));
      for (const link of links) {
        if (!link.startsWith("file:") || checked.has(link)) continue;
        checked.add(link);
        const [file, anchor] = link.split("#");
        const filePath = fileURLToPath(file);
        if (!fs.existsSync(filePath)) {
          brokenLinks.push(`${bare} -> ${link} (no such file)`);
          continue;
        }
        if (anchor) {
          const target = fs.readFileSync(filePath, "utf8");
          if (!target.includes(`id="${decodeURIComponent(anchor)}"`)) brokenLinks.push(`${bare} -> ${link} (no such anchor)`);
        }
        // Follow one level: the index and the event page lead to every event and shared page.
        if (file.endsWith(".html") && (bare === indexUrl || bare === eventUrl)) queue.push(file);
      }
    }

    // A phone: 375 px wide, nothing scrolls sideways.
    const phone = await context.newPage();
    watch(phone);
    await phone.setViewportSize({ width: 375, height: 800 });
    await phone.goto(eventUrl);
    const phoneOverflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await phone.goto(indexUrl);
    const phoneIndexOverflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

    console.log(JSON.stringify({
      entries: before.length,
      afterName,
      status,
      afterField,
      fieldHits,
      unresolvedFieldHits,
      afterNothing: afterNothing.length,
      noMatchShown,
      eventTitle,
      fieldRows,
      copyButtons,
      copyLabel,
      pagesVisited: pagesVisited.length,
      linksChecked: checked.size,
      brokenLinks,
      phoneOverflow: Math.max(phoneOverflow, phoneIndexOverflow),
      problems,
    }));
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  process.exit(1);
});
