// Orders as a merchant meets them in seller-ui: a shopper's order (placed through core-api's
// checkout API, as the checkout hosts do) shows in the Orders tab and is marked fulfilled there.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { env, launchBrowser, merchantToken, signInToSellerUi as signIn, watchedPage } from "./env.mjs";

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
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

test("a paid order shows in seller-ui's Orders tab and the merchant fulfils it with tracking", async () => {
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
  await byTestId("fulfil-carrier").fill("Delhivery");
  await byTestId("fulfil-number").fill("DL123456789IN");
  await byTestId("order-fulfill").click();
  await page.waitForFunction(() => document.querySelector('[data-testid="order-status"]')?.dataset.status === "fulfilled");
  assert.match(await byTestId("order-tracking").innerText(), /Delhivery.*DL123456789IN/);
  assert.equal(await byTestId("order-fulfill").count(), 0, "a fulfilled order offers no second fulfilment");
  assert.deepEqual(problems, []);
  await page.close();
});

/// Polls `check` for up to `ms` milliseconds.
async function until(check, what, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out: ${what}`);
}

test("a payment in the Razorpay stand-in becomes one order through its webhooks, and the merchant refunds part of it", async () => {
  const merchant = await merchantToken("merchant@demo.localhost");
  const seller = async (path, init = {}) => {
    const res = await fetch(`${env.coreUrl}${path}`, { ...init, headers: { authorization: `Bearer ${merchant}`, "content-type": "application/json" } });
    return { status: res.status, body: await res.json() };
  };
  const tote = await storefront("GET", "/products/jute-tote");
  const email = `rzp-${Date.now()}@example.in`;
  const checkout = await storefront("POST", "/checkouts", {
    lines: [{ variant_id: tote.body.product.variants[0].id, quantity: 1 }],
    email,
    shipping: {
      name: "Ravi Kumar", line1: "4 Park Street", city: "Kolkata", state: "West Bengal",
      postal_code: "700016", country: "IN", phone: "+91 98300 12345",
    },
    payment_method: "razorpay",
  });
  assert.equal(checkout.status, 201);
  // The payment step: core-api creates the Razorpay order (in the stand-in), with the store in its notes.
  const step = await storefront("POST", `/checkouts/${checkout.body.id}/razorpay-order`, {});
  assert.equal(step.status, 200, JSON.stringify(step.body));
  const rzpOrder = { id: step.body.order_id };
  assert.equal(step.body.key_id, "rzp_test_zelly");

  // The shopper pays on the stand-in's page; its webhooks (each delivered twice) place the order.
  const payer = await browser.newPage();
  await payer.goto(`${env.razorpayUrl}/pay/${rzpOrder.id}?callback_url=${encodeURIComponent(`${env.razorpayUrl}/health`)}`);
  await payer.locator('[data-testid="rzp-pay"]').click();
  const ordersOf = async () => (await seller(`/api/seller/orders?q=${encodeURIComponent(email)}`)).body;
  await until(async () => (await ordersOf()).length === 1, "the webhook placed the order");
  await new Promise((r) => setTimeout(r, 1500));
  const [order] = await ordersOf();
  assert.equal((await ordersOf()).length, 1, "repeated deliveries placed one order");
  assert.equal(order.status, "paid");
  await payer.close();

  // The merchant refunds ₹100 of it in seller-ui.
  const { page, problems } = await watchedPage(browser);
  const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
  await signIn(page);
  await page.goto(`${env.sellerUiUrl}/#/orders/${order.id}`);
  await byTestId("refund-amount").waitFor({ timeout: 20_000 });
  await byTestId("refund-amount").fill("100.00");
  page.once("dialog", (dialog) => dialog.accept());
  await byTestId("order-refund").click();
  await page.waitForFunction(() => document.querySelector('[data-testid="order-status"]')?.dataset.status === "partially_refunded");
  assert.match(await byTestId("order-refunded").innerText(), /₹100\.00/);
  // Razorpay's refund.processed webhooks (twice) do not count it again.
  await new Promise((r) => setTimeout(r, 1500));
  const after = (await seller(`/api/seller/orders/${order.id}`)).body;
  assert.equal(after.refunded.amount_minor, 10_000);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the orders placed above reach the merchant's analytics as checkouts and orders", async () => {
  const merchant = await merchantToken("merchant@demo.localhost");
  const today = new Date().toISOString().slice(0, 10);
  const report = async () => {
    const res = await fetch(`${env.coreUrl}/api/seller/analytics?from=${today}&to=${today}&utc_offset_minutes=0`, {
      headers: { authorization: `Bearer ${merchant}` },
    });
    return (await res.json()).totals;
  };
  // core-api's outbox → store-events (BullMQ on Redis) → events-consumer → ClickHouse.
  await until(async () => (await report()).orders >= 2, "both orders counted", 30_000);
  const totals = await report();
  assert.ok(totals.checkouts >= 2, JSON.stringify(totals));
});
