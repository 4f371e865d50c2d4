// A shopper buys through the Workers (storefront and checkout under wrangler dev, as
// `cargo xtask dev --edge` runs them), pays in the Razorpay stand-in, sees the confirmation, and
// the merchant finds the paid order in seller-ui and refunds it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { emailsTo, env, demoStore, launchBrowser, merchantToken, signInToSellerUi as signIn, watchedPage } from "./env.mjs";

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test("add to cart, check out and pay at the edge, then the merchant refunds the order", async () => {
  const { page, problems } = await watchedPage(browser);
  const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
  const email = `edge-${Date.now()}@example.in`;

  // The storefront Worker: a Large brass diya, added in place.
  await page.goto(`${demoStore(env.storefrontWorkerPort)}/products/brass-diya`);
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
  await byTestId("option-0").selectOption("Large");
  await byTestId("add-to-cart").click();
  await byTestId("view-cart").waitFor();
  await byTestId("view-cart").click();
  await page.waitForURL(/\/cart$/);

  // "Check out" leads to the checkout Worker on the same host name, so it sees the cart.
  await byTestId("checkout-link").click();
  await page.waitForURL(new RegExp(`:${env.checkoutWorkerPort}/checkout$`));
  assert.match(await byTestId("checkout-summary").innerText(), /Brass Diya.*Large/);
  assert.equal(await byTestId("checkout-total").innerText(), "₹699.00");

  // A mistake is pointed out, and what was typed stays.
  await page.fill("#email", "not an email");
  await page.fill("#name", "Meera Iyer");
  await byTestId("checkout-submit").click();
  await byTestId("error-email").waitFor();
  assert.equal(await page.inputValue("#name"), "Meera Iyer");
  await page.fill("#email", email);
  await page.fill("#line1", "7 Marine Drive");
  await page.fill("#city", "Mumbai");
  await page.fill("#state", "Maharashtra");
  await page.fill("#postal_code", "400020");
  await page.fill("#phone", "+91 98200 12345");
  await byTestId("pay-online").check();
  await byTestId("checkout-submit").click();

  // The payment step, then the stand-in's page, which posts the signed callback back.
  await byTestId("pay-button").waitFor();
  assert.match(await byTestId("checkout-address").innerText(), /7 Marine Drive/);
  await byTestId("pay-button").click();
  await page.waitForURL(/\/pay\/order_/);
  assert.match(await byTestId("rzp-amount").innerText(), /₹699\.00/);
  await byTestId("rzp-pay").click();
  await page.waitForURL(/\/confirmation$/);
  const number = (await byTestId("order-number").innerText()).replace("#", "");
  assert.match(await byTestId("confirmation").innerText(), /Paid online/);
  // The cart is empty again.
  await page.goto(`${demoStore(env.storefrontWorkerPort)}/cart`);
  assert.match(await byTestId("cart").innerText(), /Your cart is empty/);
  // The form sent back with the bad email is a 422, as it should be; nothing else went wrong.
  assert.deepEqual(problems.filter((p) => !/422/.test(p)), []);
  await page.close();

  // The merchant sees exactly one paid order for it (callback and webhooks raced) and refunds it.
  const merchant = await merchantToken("merchant@demo.localhost");
  const orders = await (await fetch(`${env.coreUrl}/api/seller/orders?q=${encodeURIComponent(email)}`, {
    headers: { authorization: `Bearer ${merchant}` },
  })).json();
  assert.equal(orders.length, 1);
  assert.equal(String(orders[0].number), number);
  assert.equal(orders[0].status, "paid");
  assert.equal(orders[0].total.amount_minor, 69_900);
  // The shopper's confirmation reached the mail catcher, once.
  const confirmations = await emailsTo(email);
  assert.equal(confirmations.length, 1);
  assert.equal(confirmations[0].subject, `Your order #${number} at Zelly Demo Bazaar`);
  assert.match(confirmations[0].text, /Total: ₹699\.00\nPaid online\./);

  const seller = await watchedPage(browser);
  const sellerBy = (id) => seller.page.locator(`[data-testid="${id}"]`);
  await signIn(seller.page);
  await seller.page.goto(`${env.sellerUiUrl}/#/orders/${orders[0].id}`);
  await sellerBy("refund-amount").waitFor({ timeout: 20_000 });
  await sellerBy("refund-amount").fill("699.00");
  seller.page.once("dialog", (dialog) => dialog.accept());
  await sellerBy("order-refund").click();
  await seller.page.waitForFunction(() => document.querySelector('[data-testid="order-status"]')?.dataset.status === "refunded");
  assert.match(await sellerBy("order-refunded").innerText(), /₹699\.00/);
  assert.deepEqual(seller.problems, []);
  await seller.page.close();
});
