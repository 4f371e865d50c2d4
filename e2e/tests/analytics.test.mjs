// Storefront analytics end to end: a shopper browses the demo store (natively and through the
// Worker), both hosts send the page and product views to core-api's intake, events-consumer stores
// them, and the merchant sees them on the seller-ui dashboard.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { env, demoStore, getWithHost, launchBrowser, signInToSellerUi, watchedPage } from "./env.mjs";

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/// Signs in to seller-ui as the demo merchant and opens the analytics dashboard.
async function signInToAnalytics(page) {
  await signInToSellerUi(page);
  await page.goto(`${env.sellerUiUrl}/#/analytics`);
  await page.locator('[data-testid="analytics"]').waitFor({ timeout: 20_000 });
}

/// The dashboard's number for a metric, once it has loaded.
async function metric(page, id) {
  const el = page.locator(`[data-testid="analytics-${id}"]`);
  await el.waitFor({ timeout: 20_000 });
  return Number((await el.innerText()).replace(/[^0-9.]/g, ""));
}

/// Refreshes the dashboard until `id` reaches at least `atLeast` (the consumer stores batches every
/// few seconds), returning the last value seen.
async function waitForMetric(page, id, atLeast, timeoutMs = 40_000) {
  const deadline = Date.now() + timeoutMs;
  let value = 0;
  for (;;) {
    const empty = await page.locator('[data-testid="analytics-empty"]').count();
    value = empty ? 0 : await metric(page, id);
    if (value >= atLeast || Date.now() > deadline) return value;
    await page.waitForTimeout(1_000);
    await page.locator('[data-testid="analytics-refresh"]').click();
    await page.waitForTimeout(300);
  }
}

test("a shopper's visit on both storefront hosts shows on the merchant's dashboard", async () => {
  const { page: merchant, problems } = await watchedPage(browser);
  await signInToAnalytics(merchant);
  const before = {
    visits: (await merchant.locator('[data-testid="analytics-empty"]').count()) ? 0 : await metric(merchant, "visits"),
  };
  before.productViews = before.visits ? await metric(merchant, "product-views") : 0;

  // A fresh shopper (own cookie jar) on the native host: home, then two product pages.
  const shopper = await browser.newContext();
  const shop = await shopper.newPage();
  for (const path of ["/", "/products/brass-diya", "/products/indigo-kurta"]) {
    const res = await shop.goto(`${demoStore(env.storefrontPort)}${path}`);
    assert.ok(res.ok(), `${path}: ${res.status()}`);
  }
  const cookies = await shopper.cookies();
  const visit = cookies.find((c) => c.name === "zelly_sid");
  assert.ok(visit && /^[0-9a-f]{32}$/.test(visit.value), "the storefront starts a visit");
  assert.ok(visit.httpOnly, "the visit cookie is not readable by scripts");

  // The browser reports a click through the storefront's own endpoint (no token, no store in it).
  const status = await shop.evaluate(async () => {
    const res = await fetch("/_zelly/events", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ events: [{ kind: "search", path: "/", query: "diya" }] }),
    });
    return res.status;
  });
  assert.equal(status, 202);
  const forged = await shop.evaluate(async () => {
    const res = await fetch("/_zelly/events", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ events: [{ kind: "order_placed", path: "/", order_id: "x" }] }),
    });
    return res.status;
  });
  assert.equal(forged, 400, "browsers cannot report orders");
  await shopper.close();

  // A second shopper through the Worker (workerd), who views one product.
  const viaWorker = await getWithHost(env.storefrontWorkerPort, "demo.localhost", "/products/brass-diya");
  assert.equal(viaWorker.status, 200);
  assert.match(String(viaWorker.headers["set-cookie"]), /zelly_sid=[0-9a-f]{32}/);

  const visits = await waitForMetric(merchant, "visits", before.visits + 2);
  assert.ok(visits >= before.visits + 2, `visits ${before.visits} → ${visits}`);
  const productViews = await waitForMetric(merchant, "product-views", before.productViews + 3);
  assert.ok(productViews >= before.productViews + 3, `product views ${before.productViews} → ${productViews}`);
  await merchant.locator('[data-testid="analytics-chart-visits"]').waitFor();
  const top = await merchant.locator('[data-testid="analytics-top-products"]').innerText();
  assert.match(top, /Brass Diya/i);
  assert.deepEqual(problems, []);
});

test("another store's domain gets its own events, and unknown hosts send none", async () => {
  const unknown = await getWithHost(env.storefrontPort, "nobody.localhost", "/");
  assert.equal(unknown.status, 404);
  assert.equal(unknown.headers["set-cookie"], undefined, "no visit is started on a 404");
  const post = await getWithHost(env.storefrontPort, "nobody.localhost", "/_zelly/events", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ events: [{ kind: "search", path: "/", query: "x" }] }),
  });
  // Accepted at the edge (the beacon never waits), but core-api finds no store for the domain.
  assert.ok([202, 404].includes(post.status), String(post.status));
});
