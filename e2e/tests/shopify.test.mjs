// A Shopify merchant brings their catalog: a new store's owner connects the stand-in shop from
// Settings → Shopify on a phone, approves on "Shopify", comes back to the import's live progress
// and sees all of it on the storefront; a product edited in Shopify changes on the storefront
// within seconds, and its Shopify fields are read-only in the editor.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { env, launchBrowser, watchedPage } from "./env.mjs";

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const PHONE = { width: 390, height: 844 };
const PASSWORD = "e2e-password";

async function until(what, check, timeout = 60_000) {
  for (const deadline = Date.now() + timeout; ; ) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeout / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

test("an owner connects a Shopify shop, watches its catalog come in, and Shopify's edits reach the storefront", async () => {
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const slug = `e2e-shopify-${run}`;
  const shop = `leaf-${run}.myshopify.com`;
  const { page, problems } = await watchedPage(browser);
  await page.setViewportSize(PHONE);
  const byTestId = (id) => page.locator(`[data-testid="${id}"]`);

  // A fast throttle, so that the test's import of the shop's 300 products is quick; the
  // throttle still applies.
  const throttled = await fetch(`${env.shopifyUrl}/__standin/shops/${shop}/throttle`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ maximum: 1000, restore_rate: 5000 }),
  });
  assert.equal(throttled.status, 204);

  // --- A new owner opens a store.
  await page.goto(`${env.sellerUiUrl}/`);
  await byTestId("signin-mode").click();
  await byTestId("signup-confirm").waitFor();
  await byTestId("signin-email").fill(`owner-${run}@leaf.example`);
  await byTestId("signin-password").fill(PASSWORD);
  await byTestId("signup-confirm").fill(PASSWORD);
  await byTestId("signin-submit").click();
  await byTestId("open-store-form").waitFor({ timeout: 20_000 });
  await byTestId("store-name").fill(`Leaf ${run}`);
  await byTestId("store-slug").fill(slug);
  await byTestId("open-store-submit").click();
  await byTestId("checklist").waitFor({ timeout: 20_000 });

  // --- Settings → Shopify: not connected yet; connect the shop.
  await page.goto(`${env.sellerUiUrl}/#/settings`);
  await byTestId("settings-shopify").click();
  await byTestId("shopify-not-connected").waitFor({ timeout: 20_000 });
  await byTestId("shopify-shop-input").fill(shop.replace(".myshopify.com", ""));
  await byTestId("shopify-connect").click();
  // Shopify (the stand-in) approves and sends the owner back to the screen, connected.
  await page.waitForURL(/#\/settings\/shopify$/, { timeout: 20_000 });
  await byTestId("shopify-connected").waitFor({ timeout: 20_000 });
  assert.equal(await byTestId("shopify-shop").innerText(), shop);

  // --- The import runs with its progress shown, then says how it went.
  const status = await until("the import finishing", async () => {
    const text = await byTestId("shopify-sync-status").innerText().catch(() => "");
    return /Import finished/.test(text) ? text : null;
  }, 120_000);
  assert.match(status, /300 products read from Shopify/);
  await until("the product count", async () => (await byTestId("shopify-products").innerText()) === "300");
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(wide <= 0, `the Shopify screen is ${wide}px wider than a phone`);

  // --- The catalog is on the storefront.
  const storeUrl = `http://${slug}.localhost:${env.storefrontPort}`;
  const shopper = await browser.newPage();
  await until("the imported product on the storefront", async () => {
    const res = await shopper.goto(`${storeUrl}/products/standin-product-7`);
    return res.status() === 200 && /Stand-in product 7/.test(await shopper.locator("body").innerText());
  }, 30_000);

  // --- An edit in Shopify reaches the storefront within seconds (a products/update webhook).
  const stand = await (await fetch(`${env.shopifyUrl}/__standin/shops/${shop}`)).json();
  assert.equal(stand.products, 300);
  const id = 1007; // the stand-in numbers a shop's products from 1001: product 7
  const edited = await fetch(`${env.shopifyUrl}/__standin/shops/${shop}/products/${id}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title: `Edited in Shopify ${run}`, price: "1234.00" }),
  });
  assert.equal(edited.status, 200);
  assert.deepEqual((await edited.json()).delivered, [200]);
  await until("the edit on the storefront", async () => {
    await shopper.goto(`${storeUrl}/products/standin-product-7`);
    return new RegExp(`Edited in Shopify ${run}`).test(await shopper.locator("body").innerText());
  }, 20_000);
  assert.match(await shopper.locator("body").innerText(), /1,234/);
  await shopper.close();

  // --- In the editor, Shopify's fields are read-only and say where to change them.
  await page.goto(`${env.sellerUiUrl}/#/products`);
  await byTestId("product-row").first().waitFor({ timeout: 20_000 });
  await page.locator('[data-testid="product-row"]', { hasText: `Edited in Shopify ${run}` }).first().click();
  await byTestId("from-shopify").waitFor({ timeout: 20_000 });
  assert.equal(await byTestId("product-title").isDisabled(), true);
  assert.equal(await byTestId("product-archive").count(), 0, "archiving is done in Shopify");

  assert.deepEqual(problems.filter((p) => !/HTTP 40[13]/.test(p)), []);
  await page.close();
});
