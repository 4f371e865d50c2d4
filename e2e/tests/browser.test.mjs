// The platform as people see it, in headless Chromium: shoppers, merchants and staff.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { env, demoStore, launchBrowser, watchedPage } from "./env.mjs";

let browser;

/// Polls `check` for up to five seconds.
async function until(check, what) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out: ${what}`);
}

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
    // The merchant's featured collection leads, then the whole catalog.
    const featured = page.locator('[data-testid="featured"]');
    assert.equal(await featured.locator("h2.featured-title").innerText(), "Festive Picks");
    assert.equal(await featured.locator("li.card").count(), 4);
    const cards = page.locator("main > ul.grid > li.card");
    assert.equal(await cards.count(), 12);
    // Every product image actually loaded.
    await page.waitForLoadState("networkidle");
    const broken = await page.$$eval("li.card img", (imgs) => imgs.filter((i) => !i.complete || i.naturalWidth === 0).length);
    assert.equal(broken, 0, "some product images did not load");
    assert.match(await cards.filter({ hasText: "Pashmina Shawl" }).innerText(), /₹4,999\.00/);

    await cards.filter({ hasText: "Brass Diya" }).locator("a").click();
    await page.waitForURL(/\/products\/brass-diya$/);
    assert.equal(await page.locator("h1").innerText(), "Brass Diya");
    // The buy box is an island: once hydrated, the chosen option shows its own price, and adding
    // to the cart stays on the page.
    await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
    const option = page.locator('[data-testid="option-0"]');
    assert.deepEqual(await option.locator("option").allInnerTexts(), ["Small", "Large"]);
    const price = page.locator('[data-testid="price"]');
    assert.equal(await price.innerText(), "₹599.00");
    await option.selectOption("Large");
    await until(async () => (await price.innerText()) === "₹699.00", "the price follows the chosen option");
    await page.locator('input[name="quantity"]').fill("2");
    await page.locator('[data-testid="add-to-cart"]').click();
    const viewCart = page.locator('[data-testid="view-cart"]');
    await viewCart.waitFor();
    assert.equal(await viewCart.innerText(), "View cart (2)");
    assert.match(page.url(), /\/products\/brass-diya$/, "adding did not leave the page");
    await viewCart.click();
    await page.waitForURL(/\/cart$/);
    await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
    const lines = page.locator('[data-testid="cart-line"]');
    assert.equal(await lines.count(), 1);
    assert.match(await lines.first().innerText(), /Brass Diya/);
    assert.match(await lines.first().innerText(), /Large/);
    const unit = Number((await lines.first().locator(".cart-unit").innerText()).replace(/[^0-9.]/g, ""));
    assert.equal(unit, 699);
    const subtotal = async () => Number((await page.locator('[data-testid="cart-subtotal"]').innerText()).replace(/[^0-9.]/g, ""));
    assert.equal(await subtotal(), unit * 2);
    // Quantity changes in place (the island posts the form and shows the host's answer).
    await lines.first().locator('[data-testid="cart-quantity"]').fill("3");
    await lines.first().locator('[data-testid="cart-update"]').click();
    await until(async () => (await subtotal()) === unit * 3, "the subtotal follows the quantity");
    assert.equal(Number((await lines.first().locator('[data-testid="cart-line-total"]').innerText()).replace(/[^0-9.]/g, "")), unit * 3);
    // The cart is still there, with the new quantity, on the next visit to the page.
    await page.goto(`${demoStore(port())}/cart`);
    await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
    assert.equal(await page.locator('[data-testid="cart-line"]').count(), 1);
    assert.equal(await subtotal(), unit * 3);
    await page.locator('[data-testid="cart-remove"]').click();
    await page.locator('[data-testid="cart-empty"]').waitFor();
    assert.equal(await page.locator('[data-testid="cart-line"]').count(), 0);
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
    assert.equal(await page.locator("body").getAttribute("style"), "--accent:#8a3b12;--on-accent:#ffffff;", "its accent, with button text that reads on it");
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
  // The option selects post the chosen combination; the host picks the variant.
  await page.goto(`${demoStore(env.storefrontWorkerPort)}/products/brass-diya`);
  await page.locator('[data-testid="option-0"]').selectOption("Large");
  await page.locator('[data-testid="add-to-cart"]').click();
  await page.waitForURL(/\/cart$/);
  const lines = page.locator('[data-testid="cart-line"]');
  assert.equal(await lines.count(), 2);
  assert.match(await lines.nth(1).innerText(), /Brass Diya\s+Large/);
  // Quantity and remove are plain forms too.
  await lines.first().locator('[data-testid="cart-quantity"]').fill("4");
  await lines.first().locator('[data-testid="cart-update"]').click();
  await page.waitForURL(/\/cart$/);
  assert.equal(await page.locator('[data-testid="cart-quantity"]').first().inputValue(), "4");
  await page.locator('[data-testid="cart-remove"]').first().click();
  await page.waitForURL(/\/cart$/);
  assert.equal(await page.locator('[data-testid="cart-line"]').count(), 1);
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
