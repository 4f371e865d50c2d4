// The platform as people see it, in headless Chromium: shoppers, merchants and staff.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { env, demoStore, launchBrowser, watchedPage } from "./env.mjs";

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

for (const [label, port] of [
  ["native", () => env.storefrontPort],
  ["worker", () => env.storefrontWorkerPort],
]) {
  test(`a shopper browses the demo store (${label}): home grid, then a product page`, async () => {
    const { page, problems } = await watchedPage(browser);
    const res = await page.goto(`${demoStore(port())}/`);
    assert.equal(res.status(), 200);
    assert.equal(await page.title(), "Zelly Demo Bazaar");
    const cards = page.locator("li.card");
    assert.equal(await cards.count(), 12);
    // Every product image actually loaded.
    await page.waitForLoadState("networkidle");
    const broken = await page.$$eval("li.card img", (imgs) => imgs.filter((i) => !i.complete || i.naturalWidth === 0).length);
    assert.equal(broken, 0, "some product images did not load");
    assert.match(await cards.filter({ hasText: "Pashmina Shawl" }).innerText(), /₹4,999\.00/);

    await cards.filter({ hasText: "Brass Diya" }).locator("a").click();
    await page.waitForURL(/\/products\/brass-diya$/);
    assert.equal(await page.locator("h1").innerText(), "Brass Diya");
    assert.equal(await page.locator("label.variant").count(), 2);
    assert.match(await page.locator("label.variant").first().innerText(), /Small\s*₹599\.00/);

    // Pick the large lamp, two of them, into the cart; then change and empty it.
    await page.locator("label.variant", { hasText: "Large" }).locator("input").check();
    await page.locator('input[name="quantity"]').fill("2");
    await page.locator('[data-testid="add-to-cart"]').click();
    await page.waitForURL(/\/cart$/);
    const lines = page.locator('[data-testid="cart-line"]');
    assert.equal(await lines.count(), 1);
    assert.match(await lines.first().innerText(), /Brass Diya/);
    const unit = Number((await lines.first().locator(".cart-unit").innerText()).replace(/[^0-9.]/g, ""));
    const subtotal = async () => Number((await page.locator('[data-testid="cart-subtotal"]').innerText()).replace(/[^0-9.]/g, ""));
    assert.equal(await subtotal(), unit * 2);
    await lines.first().locator('[data-testid="cart-quantity"]').fill("3");
    await lines.first().locator('[data-testid="cart-update"]').click();
    await page.waitForURL(/\/cart$/);
    assert.equal(await subtotal(), unit * 3);
    // The cart is still there on the next visit to the page.
    await page.goto(`${demoStore(port())}/cart`);
    assert.equal(await page.locator('[data-testid="cart-line"]').count(), 1);
    await page.locator('[data-testid="cart-remove"]').click();
    await page.locator('[data-testid="cart-empty"]').waitFor();
    assert.deepEqual(problems, []);
    await page.close();
  });
}

for (const [label, port] of [
  ["native", () => env.storefrontPort],
  ["worker", () => env.storefrontWorkerPort],
]) {
  test(`two stores on two domains each show only their own products and look (${label})`, async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`http://chai.localhost:${port()}/`);
    assert.equal(await page.title(), "Chai Corner");
    assert.equal(await page.locator("li.card").count(), 3);
    assert.equal(await page.locator("body").getAttribute("style"), "--accent:#8a3b12;");
    assert.equal(await page.locator("img.brand-logo").count(), 1);
    const chaiText = await page.locator("main").innerText();
    assert.doesNotMatch(chaiText, /Pashmina|Brass Diya/);
    // The same handle in both stores is two different products.
    await page.goto(`http://chai.localhost:${port()}/products/masala-chai-tin`);
    assert.equal(await page.locator("h1").innerText(), "Assam Masala Chai");
    await page.goto(`${demoStore(port())}/products/masala-chai-tin`);
    assert.equal(await page.locator("h1").innerText(), "Masala Chai Tin");
    assert.equal(await page.locator("body").getAttribute("style"), null, "the demo store keeps the default look");
    assert.equal(await page.locator("img.brand-logo").count(), 0);
    // Search stays inside the store.
    await page.goto(`${demoStore(port())}/search?q=chai`);
    const found = await page.locator("li.card").allInnerTexts();
    assert.equal(found.length, 1);
    assert.match(found[0], /Masala Chai Tin/);
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test("the cart works with JavaScript off", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${demoStore(env.storefrontWorkerPort)}/products/jute-tote`);
  await page.locator('[data-testid="add-to-cart"]').click();
  await page.waitForURL(/\/cart$/);
  assert.equal(await page.locator('[data-testid="cart-line"]').count(), 1);
  assert.match(await page.locator('[data-testid="cart-line"]').innerText(), /Jute Tote/);
  await context.close();
});

test("a shopper on an unknown domain gets the 404 page, not another store", async () => {
  const { page } = await watchedPage(browser);
  const res = await page.goto(`http://nobody.localhost:${env.storefrontPort}/`);
  assert.equal(res.status(), 404);
  assert.match(await page.locator("h1").innerText(), /Page not found/);
  assert.equal(await page.locator("li.card").count(), 0);
  await page.close();
});

test("a merchant signs in and sees the demo store's products in seller-ui", async () => {
  const { page, problems } = await watchedPage(browser);
  await page.goto(`${env.sellerUiUrl}/`);
  // The product list is behind sign-in (Firebase Auth REST; the dev issuer in tests).
  await page.locator('[data-testid="signin-email"]').fill("merchant@demo.localhost");
  await page.locator('[data-testid="signin-password"]').fill("demo-password");
  await page.locator('[data-testid="signin-submit"]').click();
  // A page holds up to 25 products: all twelve of the demo store fit on the first.
  const rows = page.locator('[data-testid="product-row"]');
  await rows.first().waitFor({ timeout: 20_000 });
  assert.equal(await rows.count(), 12);
  assert.match(await page.locator('[data-testid="product-table"]').innerText(), /Pashmina Shawl/);
  await page.waitForLoadState("networkidle");
  const broken = await page.$$eval("img", (imgs) => imgs.filter((i) => !i.complete || i.naturalWidth === 0).length);
  assert.equal(broken, 0, "some product thumbnails did not load");
  assert.deepEqual(problems, []);
  await page.close();
});

test("staff see the tenant list in admin-ui", async () => {
  const { page, problems } = await watchedPage(browser);
  await page.goto(`${env.adminUiUrl}/`);
  const rows = page.locator('[data-testid="tenant-row"]');
  await rows.first().waitFor({ timeout: 20_000 });
  assert.equal(await rows.count(), 2, "the two demo stores");
  assert.match(await rows.filter({ hasText: "Chai Corner" }).innerText(), /chai\.localhost/);
  const text = await rows.filter({ hasText: "Zelly Demo Bazaar" }).innerText();
  assert.match(text, /Zelly Demo Bazaar/);
  assert.match(text, /demo\.localhost/);
  assert.match(text, /12/);
  assert.deepEqual(problems, []);
  await page.close();
});
