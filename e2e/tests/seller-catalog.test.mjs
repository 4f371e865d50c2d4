// A merchant's catalog work in seller-ui, seen through to the storefront: sign in, create an active
// product with two variants, and find it on the demo store's product page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { env, demoStore, getWithHost, launchBrowser, signInToSellerUi as signIn, watchedPage } from "./env.mjs";

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});


/// Waits until the first `count` variants' inventory histories have loaded (both, unless told).
async function waitForHistories(page, count = 2) {
  for (let i = 0; i < count; i++) {
    await page.locator(`[data-testid="inventory-history-${i}"]`).waitFor({ state: "attached", timeout: 20_000 });
  }
}

test("a merchant creates an active product with two variants and shoppers see it", async () => {
  const { page, problems } = await watchedPage(browser);
  const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
  await signIn(page);

  const suffix = Math.random().toString(36).slice(2, 8);
  const handle = `e2e-lamp-${suffix}`;
  await byTestId("new-product").click();
  await byTestId("product-title").fill("E2E Lamp");
  // The handle is suggested from the title while creating; the test picks its own, unique one.
  assert.equal(await byTestId("product-handle").inputValue(), "e2e-lamp");
  await byTestId("product-handle").fill(handle);
  await byTestId("product-status").selectOption("active");
  await byTestId("option-name-0").fill("Size");
  await byTestId("variant-sku-0").fill(`E2E-LAMP-${suffix}-S`.toUpperCase());
  await byTestId("variant-option-0-0").fill("S");
  await byTestId("variant-price-0").fill("1299.50");
  await byTestId("variant-stock-0").fill("5");
  await byTestId("add-variant").click();
  await byTestId("variant-sku-1").fill(`E2E-LAMP-${suffix}-M`.toUpperCase());
  await byTestId("variant-option-1-0").fill("M");
  await byTestId("variant-price-1").fill("1499");
  await byTestId("variant-stock-1").fill("3");
  await byTestId("product-save").click();

  // Saved: the editor now shows the product by its id, with the prices read back from the API.
  await page.waitForURL(/#\/products\/[0-9a-f-]{36}$/, { timeout: 20_000 });
  const editorUrl = page.url();
  await byTestId("form-notice").waitFor();
  assert.match(await byTestId("form-notice").innerText(), /Product created/);
  assert.equal(await byTestId("variant-price-0").inputValue(), "1299.50");
  assert.equal(await byTestId("variant-price-1").inputValue(), "1499.00");
  assert.equal(await byTestId("field-error").count(), 0);
  // Each saved variant's stock history loads below the form; let it finish before leaving the page.
  await waitForHistories(page);

  const res = await page.goto(`${demoStore(env.storefrontPort)}/products/${handle}`);
  assert.equal(res.status(), 200);
  assert.equal(await page.locator("h1").innerText(), "E2E Lamp");
  const text = await page.locator("body").innerText();
  assert.match(text, /₹1,299\.50 – ₹1,499\.00/, "the price range, readable without JavaScript");
  // Choosing each size shows its own price and stock.
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  const price = page.locator('[data-testid="price"]');
  assert.equal(await price.innerText(), "₹1,299.50");
  await page.locator('[data-testid="option-0"]').selectOption("M");
  await page.waitForFunction(() => document.querySelector('[data-testid="price"]')?.textContent === "₹1,499.00");
  assert.equal(await page.locator('[data-testid="stock"]').innerText(), "In stock");

  // Archive it again, so that the demo store still shows its twelve products to later tests.
  await page.goto(editorUrl);
  await byTestId("product-archive").waitFor({ timeout: 20_000 });
  await waitForHistories(page);
  page.once("dialog", (dialog) => dialog.accept());
  await byTestId("product-archive").click();
  await page.waitForFunction(
    () => /archived/i.test(document.querySelector('[data-testid="form-notice"]')?.innerText ?? ""),
  );
  assert.equal(await byTestId("product-status").inputValue(), "archived");
  await page.waitForLoadState("networkidle");

  assert.deepEqual(problems, []);
  await page.close();
});

test("a merchant picks the collection the storefront's home page features", async () => {
  const { page, problems } = await watchedPage(browser);
  const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
  await signIn(page);
  await page.goto(`${env.sellerUiUrl}/#/settings`);
  const featured = byTestId("settings-featured");
  await featured.locator('option[value="festive-picks"]').waitFor({ state: "attached", timeout: 20_000 });
  assert.equal(await featured.inputValue(), "festive-picks");
  // The storefront keeps pages per store version and re-reads the version at most every 5 s, so a
  // change shows within that bound: ask until it does, for a little longer than the bound.
  const homeFeatures = async (expected) => {
    const deadline = Date.now() + 7_000;
    for (;;) {
      const home = await getWithHost(env.storefrontPort, "demo.localhost", "/");
      const features = home.body.includes('data-testid="featured"');
      if (features === expected || Date.now() > deadline) return features;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  assert.equal(await homeFeatures(true), true);

  const save = async () => {
    await byTestId("settings-save").click();
    await page.waitForFunction(() => /saved/i.test(document.querySelector('[data-testid="form-notice"]')?.innerText ?? ""));
  };
  await featured.selectOption("");
  await save();
  assert.equal(await homeFeatures(false), false, "no featured section once the merchant picks none");
  // Put it back for the tests that follow.
  await featured.selectOption("festive-picks");
  await save();
  assert.equal(await homeFeatures(true), true);
  assert.deepEqual(problems, []);
  await page.close();
});

test("View in store opens a product in the merchant's own store, not the demo one", async () => {
  const { page, problems } = await watchedPage(browser);
  const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
  // The second demo store's merchant (signInToSellerUi is the first store's).
  await page.goto(`${env.sellerUiUrl}/`);
  await byTestId("signin-email").fill("merchant@chai.localhost");
  await byTestId("signin-password").fill("demo-password");
  await byTestId("signin-submit").click();
  await byTestId("product-row").first().waitFor({ timeout: 20_000 });
  await byTestId("product-row").filter({ hasText: "Masala Chai" }).first().click();
  const link = byTestId("view-in-store");
  await link.waitFor({ timeout: 20_000 });
  await waitForHistories(page, 1);
  const href = await link.getAttribute("href");
  assert.equal(href, `http://chai.localhost:${env.storefrontPort}/products/masala-chai-tin`);
  // …where that store's own product page answers (demo.localhost has a tin of its own).
  const res = await getWithHost(env.storefrontPort, "chai.localhost", "/products/masala-chai-tin");
  assert.equal(res.status, 200);
  assert.deepEqual(problems, []);
  await page.close();
});
