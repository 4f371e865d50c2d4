// seller-ui on a phone 390 px wide: no screen scrolls the page sideways, every tap target is at
// least 44 px high, the header's tabs all stay reachable, and the charts open at the latest days.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { env, launchBrowser, signInToSellerUi as signIn } from "./env.mjs";

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const PHONE = { width: 390, height: 844 };

/// What is wrong with the screen shown: how far the page is wider than the phone, and each
/// visible button, tab or input (outside the sideways-scrolling tables and charts) under 44 px high.
async function phoneProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const wide = document.documentElement.scrollWidth - window.innerWidth;
    if (wide > 0) problems.push(`the page is ${wide}px wider than the screen`);
    const targets = document.querySelectorAll("button, .tab, a.button, input:not([type=checkbox]):not([type=radio]), select, .store-link");
    for (const el of targets) {
      const box = el.getBoundingClientRect();
      const hidden = box.width === 0 || box.height === 0 || el.closest(".visually-hidden");
      if (hidden || el.closest(".table-wrap") || el.closest(".chart-scroll")) continue;
      if (box.height < 43.5) {
        const name = el.dataset.testid ?? el.textContent?.trim() ?? el.tagName;
        problems.push(`${name}: ${Math.round(box.height)}px high`);
      }
      if (box.right > window.innerWidth + 0.5) problems.push(`${el.dataset.testid ?? el.tagName} sticks out to ${Math.round(box.right)}px`);
    }
    return problems;
  });
}

test("every screen of seller-ui fits a 390 px phone with tap targets of 44 px", async () => {
  const page = await browser.newPage({ viewport: PHONE });
  const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
  await signIn(page);
  const screens = [];
  const check = async (name) => screens.push([name, await phoneProblems(page)]);

  await check("products");
  // Every tab is on screen: they wrap rather than run off the edge.
  for (const tab of ["products-nav", "orders-nav", "collections-nav", "analytics-nav", "settings-nav"]) {
    const box = await byTestId(tab).boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, `${tab} on screen: ${JSON.stringify(box)}`);
  }

  await byTestId("product-row").first().click();
  await byTestId("product-title").waitFor({ timeout: 20_000 });
  await page.locator('[data-testid="inventory-history-0"]').waitFor({ state: "attached", timeout: 20_000 });
  await check("product editor");

  await byTestId("orders-nav").click();
  await page.locator('[data-testid="order-row"], [data-testid="orders-empty"]').first().waitFor({ timeout: 20_000 });
  await check("orders");
  if (await byTestId("order-row").count()) {
    await byTestId("order-row").first().click();
    await byTestId("order-status").waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="order-timeline"], [data-testid="order-timeline-empty"], .state-error').first().waitFor({ timeout: 20_000 });
    await check("an order");
  }

  await byTestId("collections-nav").click();
  await page.waitForLoadState("networkidle");
  await check("collections");

  await byTestId("analytics-nav").click();
  await byTestId("analytics").waitFor({ timeout: 20_000 });
  await byTestId("analytics-preset-30").click();
  await byTestId("analytics-chart-visits").waitFor({ timeout: 20_000 });
  await check("analytics");
  // The charts are wider than the phone and open scrolled to their right end: the latest days.
  await page.waitForFunction(() =>
    [...document.querySelectorAll(".chart-scroll")].every((s) => s.scrollWidth <= s.clientWidth || s.scrollLeft + s.clientWidth >= s.scrollWidth - 2),
  );
  const scrolled = await page.$$eval(".chart-scroll", (all) => all.map((s) => [s.scrollLeft, s.scrollWidth, s.clientWidth]));
  assert.ok(scrolled.length >= 2, JSON.stringify(scrolled));
  for (const [left, width, shown] of scrolled) {
    assert.ok(width > shown, `the chart is wider than the phone: ${width} vs ${shown}`);
    assert.ok(left > 0, "opened away from the first day");
  }

  await byTestId("settings-nav").click();
  await byTestId("settings-save").waitFor({ timeout: 20_000 });
  await check("settings");

  assert.deepEqual(screens.filter(([, problems]) => problems.length), []);
  await page.close();
});

test("buttons keep 4.5:1 contrast, disabled ones too", async () => {
  const page = await browser.newPage({ viewport: PHONE });
  await signIn(page);
  const ratios = await page.evaluate(() => {
    const rgb = (css) => (css.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const luminance = ([r, g, b]) => {
      const linear = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
      return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
    };
    const contrast = (a, b) => {
      const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
      return (x + 0.05) / (y + 0.05);
    };
    // A background as painted: the element's own, else the first opaque one behind it.
    const background = (el) => {
      for (let node = el; node; node = node.parentElement) {
        const style = getComputedStyle(node);
        const [r, g, b, a] = (style.backgroundColor.match(/[\d.]+/g) ?? []).map(Number);
        if (a === undefined || a > 0.5) return [r, g, b];
      }
      return [255, 255, 255];
    };
    const sample = [];
    for (const el of document.querySelectorAll("button, a.button, .tab")) {
      sample.push(el);
    }
    // A disabled primary button, as while a save is on its way.
    const disabled = document.createElement("button");
    disabled.className = "button";
    disabled.disabled = true;
    disabled.textContent = "Saving…";
    document.querySelector("main, .content, body").append(disabled);
    sample.push(disabled);
    return sample.map((el) => {
      const style = getComputedStyle(el);
      return [el.textContent.trim() || el.className, contrast(rgb(style.color), background(el)) * Number(style.opacity)];
    });
  });
  const weak = ratios.filter(([, ratio]) => ratio < 4.5).map(([name, ratio]) => `${name}: ${ratio.toFixed(2)}`);
  assert.deepEqual(weak, []);
  await page.close();
});
