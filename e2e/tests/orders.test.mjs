// Orders as a merchant meets them in seller-ui: a shopper's order (placed through core-api's
// checkout API, as the checkout hosts do) shows in the Orders tab and is marked fulfilled there.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { env, launchBrowser, signInToSellerUi as signIn, watchedPage } from "./env.mjs";

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/// core-api's storefront API with the storefront token.
async function storefront(method, path, body) {
  const res = await fetch(`${env.coreUrl}/api/storefront/domains/demo.localhost${path}`, {
    method,
    headers: { authorization: `Bearer ${env.storefrontToken}`, "content-type": "application/json" },
    body: body && JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

test("a paid order shows in seller-ui's Orders tab and the merchant fulfils it", async () => {
  // A shopper buys two tote bags and pays.
  const tote = await storefront("GET", "/products/jute-tote");
  assert.equal(tote.status, 200);
  const variant = tote.body.product.variants[0];
  const email = `buyer-${Date.now()}@example.in`;
  const checkout = await storefront("POST", "/checkouts", {
    lines: [{ variant_id: variant.id, quantity: 2 }],
    email,
    shipping: {
      name: "Asha Rao", line1: "12 MG Road", city: "Bengaluru", state: "Karnataka",
      postal_code: "560001", country: "IN", phone: "+91 98450 12345",
    },
    payment_method: "razorpay",
  });
  assert.equal(checkout.status, 201, JSON.stringify(checkout.body));
  assert.equal(checkout.body.total.amount_minor, 2 * variant.price.amount_minor);
  const placed = await storefront("POST", `/checkouts/${checkout.body.id}/finalize`, {
    payment_id: `pay_e2e_${Date.now()}`,
    amount_minor: checkout.body.total.amount_minor,
  });
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  const number = placed.body.number;

  // The merchant finds it by the shopper's email and marks it fulfilled.
  const { page, problems } = await watchedPage(browser);
  const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
  await signIn(page);
  await byTestId("orders-nav").click();
  await byTestId("orders-search").fill(email);
  await byTestId("orders-search").press("Enter");
  const row = byTestId("order-row");
  await row.first().waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="order-row"]').length === 1);
  assert.match(await row.innerText(), new RegExp(`#${number}`));
  assert.match(await row.innerText(), /Paid/i);
  await row.click();
  await byTestId("order-status").waitFor();
  assert.equal(await byTestId("order-status").getAttribute("data-status"), "paid");
  assert.match(await byTestId("order-lines").innerText(), /Jute Tote/);
  await byTestId("order-fulfill").click();
  await page.waitForFunction(() => document.querySelector('[data-testid="order-status"]')?.dataset.status === "fulfilled");
  assert.equal(await byTestId("order-fulfill").count(), 0, "a fulfilled order offers no second fulfilment");
  assert.deepEqual(problems, []);
  await page.close();
});
