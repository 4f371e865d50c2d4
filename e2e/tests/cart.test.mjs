// A shopper's cart against the store's stock, in headless Chromium at 390 px, on both storefront
// hosts (native and the Worker): the cart never takes more than is left, says so by the
// product's name, offers the fix when stock runs out after the fact, and counts itself in the
// header of every page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { env, demoStore, launchBrowser, merchantToken, watchedPage } from "./env.mjs";

let browser;
let merchant;
before(async () => {
  browser = await launchBrowser();
  merchant = await merchantToken("merchant@demo.localhost");
});
after(async () => {
  await browser?.close();
});

/// A call to the seller API as the demo store's merchant.
async function seller(method, path, body) {
  const res = await fetch(`${env.coreUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${merchant}`, "content-type": "application/json" },
    body: body && JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/// A new active product of the demo store whose Small size has exactly two in stock.
async function lampWithTwoLeft() {
  const suffix = Math.random().toString(36).slice(2, 8);
  const product = await seller("POST", "/api/seller/products", {
    handle: `cart-lamp-${suffix}`,
    title: "Cart Lamp",
    status: "active",
    option_names: ["Size"],
    images: [{ url: "/assets/demo/brass-diya.svg", alt: "" }],
    variants: [
      { sku: `CART-LAMP-${suffix}-S`.toUpperCase(), options: ["Small"], price_minor: 13_774_700, inventory_quantity: 2, track_inventory: true },
      { sku: `CART-LAMP-${suffix}-L`.toUpperCase(), options: ["Large"], price_minor: 50_000, inventory_quantity: 5, track_inventory: true },
    ],
  });
  return { id: product.id, handle: product.handle, small: product.variants[0].id, sku: product.variants[0].sku };
}

/// Takes a test's product off sale again, so the demo catalog stays as other tests expect it.
async function archive(product) {
  const current = await seller("GET", `/api/seller/products/${product.id}`);
  await seller("POST", `/api/seller/products/${product.id}/archive`, { version: current.version });
}

/// Polls `check` for up to ten seconds.
async function until(check, what) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out: ${what}`);
}

for (const [label, port] of [
  ["native", () => env.storefrontPort],
  ["worker", () => env.storefrontWorkerPort],
]) {
  test(`the cart holds to the stock left and says so by name (${label}, 390 px)`, async () => {
    const lamp = await lampWithTwoLeft();
    try {
      await shopAgainstTheStock(lamp, port());
    } finally {
      await archive(lamp);
    }
  });
}

/// One shopper's visit to `lamp` (two Small left) on the storefront at `port`.
async function shopAgainstTheStock(lamp, port) {
  const { page, problems } = await watchedPage(browser);
  await page.setViewportSize({ width: 390, height: 844 });
  const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
  const count = () => byTestId("cart-count").innerText();
  const store = demoStore(port);
  const twoLeft = "Only 2 left of Cart Lamp — Small; your cart has 2.";

  // Five asked for, two there are: two go in, and the buy box says why.
  await page.goto(`${store}/products/${lamp.handle}`);
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  assert.equal(await count(), "0");
  await byTestId("option-0").selectOption("Small");
  await page.locator('input[name="quantity"]').fill("5");
  await byTestId("add-to-cart").click();
  await byTestId("buy-notice").waitFor();
  assert.equal(await byTestId("buy-notice").innerText(), twoLeft);
  assert.equal(await byTestId("view-cart").innerText(), "View cart (2)");
  assert.equal(await count(), "2", "the header follows the cart");
  // Another one is refused with the same words; the cart keeps its two. (The words are already on
  // the page from the add before, so the refusal's own answer is what is waited for.)
  await page.locator('input[name="quantity"]').fill("1");
  const refusal = page.waitForResponse((res) => new URL(res.url()).pathname === "/cart" && res.request().method() === "POST");
  await byTestId("add-to-cart").click();
  assert.equal((await refusal).status(), 400);
  await until(async () => (await byTestId("buy-status").innerText()).includes(twoLeft), "the refusal is shown");

  // Every page's header counts the cart, and nothing is wider than the phone.
  await page.goto(`${store}/`);
  assert.equal(await count(), "2");
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), "the home page fits 390 px");
  await page.locator('input[name="q"]').fill("cart lamp");
  await page.locator('input[name="q"]').press("Enter");
  await page.waitForURL(/\/search\?q=cart\+lamp/);
  assert.equal(await page.locator('input[name="q"]').inputValue(), "cart lamp", "the search box keeps the query");
  assert.equal(await count(), "2");

  // The cart: the product's name and picture, not its SKU; a new quantity above the stock is
  // held to it in place.
  await page.goto(`${store}/cart`);
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  const line = byTestId("cart-line");
  assert.equal(await line.count(), 1);
  assert.match(await byTestId("cart-product").innerText(), /^Cart Lamp$/);
  assert.doesNotMatch(await byTestId("cart").innerText(), new RegExp(lamp.sku));
  await page.waitForFunction(() => {
    const img = document.querySelector('[data-testid="cart-line"] img');
    return img && img.complete && img.naturalWidth > 0;
  });
  assert.equal(await byTestId("cart-subtotal").innerText(), "₹2,75,494.00", "Indian digit grouping");
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), "the cart fits 390 px");
  await byTestId("cart-quantity").fill("9");
  await byTestId("cart-quantity").press("Enter");
  await until(async () => (await byTestId("cart-change-notice").innerText()) === twoLeft, "the cap is explained");
  assert.equal(await byTestId("cart-quantity").inputValue(), "2");
  await byTestId("checkout-link").waitFor();

  // One sells elsewhere: the cart names the line, offers the fix and no checkout until then.
  await seller("POST", `/api/seller/variants/${lamp.small}/inventory-adjustments`, { delta: -1, reason: "sold in the shop" });
  await page.reload();
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  assert.equal(await byTestId("cart-problem").locator(".stock-warning").innerText(), "Only 1 left of Cart Lamp — Small; your cart has 2.");
  assert.equal(await byTestId("checkout-link").count(), 0);
  await byTestId("cart-fix").click();
  await byTestId("checkout-link").waitFor();
  assert.equal(await byTestId("cart-problem").count(), 0);
  assert.equal(await byTestId("cart-quantity").inputValue(), "1");
  assert.equal(await count(), "1");

  // Emptied, the cart offers no checkout.
  await byTestId("cart-remove").click();
  await byTestId("cart-empty").waitFor();
  assert.equal(await byTestId("checkout-link").count(), 0);
  assert.equal(await count(), "0");
  await page.reload();
  assert.equal(await byTestId("checkout-link").count(), 0);
  assert.equal(await count(), "0");

  // The one refused add answered 400 (and the browser says so in its console), as it should;
  // nothing else went wrong.
  assert.ok(problems.some((p) => /^HTTP 400: .*\/cart$/.test(p)), problems.join("\n"));
  assert.deepEqual(problems.filter((p) => !/\b400\b/.test(p)), []);
  await page.close();
}

test("both storefront hosts render the stock-capped cart and a store's 404 alike", async () => {
  const { getWithHost } = await import("./env.mjs");
  const lamp = await lampWithTwoLeft();
  try {
    const cookie = `zelly_cart=${lamp.small.replaceAll("-", "")}_5`;
    const get = (port, path) => getWithHost(port, "demo.localhost", path, { headers: { cookie } });
    for (const [path, status] of [["/cart", 200], [`/cart?capped=${lamp.small.replaceAll("-", "")}`, 200], ["/no-such-page", 404], ["/search?q=lamp", 200]]) {
      const worker = await get(env.storefrontWorkerPort, path);
      const native = await get(env.storefrontPort, path);
      assert.equal(worker.status, status, path);
      assert.equal(native.status, status, path);
      assert.equal(worker.body, native.body, `${path}: the hosts disagree`);
      assert.match(native.body, /aria-label="items">5<\/span>/, `${path}: the header counts the cart`);
    }
    const cart = await get(env.storefrontPort, "/cart");
    assert.match(cart.body, /Only 2 left of Cart Lamp — Small; your cart has 5\./);
    const missing = await get(env.storefrontWorkerPort, "/no-such-page");
    assert.match(missing.body, /Page not found · Zelly Demo Bazaar/);
    // A page the Worker keeps in its shared cache still shows each shopper their own count.
    for (let i = 0; i < 3; i++) {
      const home = await get(env.storefrontWorkerPort, "/");
      assert.match(home.body, /aria-label="items">5<\/span>/, `home page, ${home.headers["x-zelly-cache"]}`);
      const stranger = await getWithHost(env.storefrontWorkerPort, "demo.localhost", "/");
      assert.match(stranger.body, /aria-label="items">0<\/span>/, `home page, ${stranger.headers["x-zelly-cache"]}`);
    }
  } finally {
    await archive(lamp);
  }
});
