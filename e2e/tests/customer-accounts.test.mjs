// Shoppers' accounts across the platform. A shopper opens an account at the demo store: the
// confirmation email travels through the queue, core-api's mail worker and SMTP into MailDev, and
// its link opens customer-auth's page, which confirms the address on a 390 px phone without a
// script. Then, on both storefront hosts, signing in on one of the store's domains signs the
// shopper in on its other domain without a second password, and signing out ends both.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { emailsTo, env, getWithHost, launchBrowser, signInToSellerUi, watchedPage } from "./env.mjs";

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const PASSWORD = "e2e shopper password";

async function call(path, body) {
  const res = await fetch(`${env.customerAuthUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, cookie: res.headers.get("set-cookie"), body: await res.json().catch(() => null) };
}

test("a shopper confirms their email from the mail on a phone, then signs in", async () => {
  const email = `shopper-${Date.now()}@example.com`;
  const opened = await call("/api/stores/demo.localhost/accounts", { email, password: PASSWORD, name: "E2E Shopper" });
  assert.equal(opened.status, 202, JSON.stringify(opened.body));

  // Not yet confirmed: the password alone does not sign in.
  const early = await call("/api/stores/demo.localhost/sessions", { email, password: PASSWORD });
  assert.equal(early.status, 403);
  assert.equal(early.body.error.code, "email_unverified");

  const [mail] = await emailsTo(email);
  assert.match(mail.subject, /^Confirm your email for /);
  const link = mail.text.match(/^(http\S+\/verify-email\?token=[0-9a-f]{64})$/m)?.[1];
  assert.ok(link, mail.text);

  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(link);
  const button = page.getByRole("button", { name: "Confirm my email" });
  await button.waitFor();
  const box = await button.boundingBox();
  assert.ok(box.height >= 44, `the button is ${box.height} px high`);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false, "no sideways scroll");
  await button.click();
  await page.getByText(`${email} is confirmed`).waitFor();
  await context.close();

  const signedIn = await call("/api/stores/demo.localhost/sessions", { email, password: PASSWORD });
  assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
  assert.equal(signedIn.body.email_verified, true);
  assert.match(signedIn.cookie, /^__Host-zelly_customer=[0-9a-f]{64}; Path=\/;.*HttpOnly; Secure; SameSite=Lax$/);
});

/// An order at the demo store placed with `email` (a tote bag, cash on delivery), as checkout
/// places it through core-api's storefront API; its number.
async function placeOrder(email) {
  const api = async (method, path, body) => {
    const res = await fetch(`${env.coreUrl}/api/storefront/domains/demo.localhost${path}`, {
      method,
      headers: { authorization: `Bearer ${env.storefrontToken}`, "content-type": "application/json" },
      body: body && JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const tote = (await api("GET", "/products/jute-tote")).body.product.variants[0];
  const checkout = await api("POST", "/checkouts", {
    lines: [{ variant_id: tote.id, quantity: 1 }],
    email,
    shipping: { name: "E2E Shopper", line1: "1 Test Road", city: "Pune", state: "Maharashtra", postal_code: "411001", country: "IN", phone: "+91 90000 00000" },
    payment_method: "cash_on_delivery",
    idempotency_key: `account-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  });
  assert.equal(checkout.status, 201, JSON.stringify(checkout.body));
  const placed = await api("POST", `/checkouts/${checkout.body.id}/finalize`, { amount_minor: checkout.body.total.amount_minor });
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  return placed.body.number;
}

/// Opens and confirms an account through the API and the email MailDev caught.
async function confirmedAccount(email) {
  assert.equal((await call("/api/stores/demo.localhost/accounts", { email, password: PASSWORD })).status, 202);
  const [mail] = await emailsTo(email);
  const token = mail.text.match(/token=([0-9a-f]{64})/)[1];
  assert.equal((await call("/api/stores/demo.localhost/email-verifications", { token })).status, 200);
}

/// Fills the address form on the page open at /account/addresses/new or /account/addresses/{id}.
async function fillAddress(page, { line1, city, state, pin }) {
  await page.fill("#name", "E2E Shopper");
  await page.fill("#line1", line1);
  await page.fill("#city", city);
  await page.fill("#state", state);
  await page.fill("#postal_code", pin);
  await page.fill("#phone", "+91 90000 00000");
}

for (const [label, port, checkoutPort] of [
  ["native", env.storefrontPort, env.checkoutPort],
  ["Worker", env.storefrontWorkerPort, env.checkoutWorkerPort],
]) {
  test(`signed in on one domain of a store, a shopper is signed in on its other one; signing out ends both (${label})`, async () => {
    const email = `both-${label.toLowerCase()}-${Date.now()}@example.com`;
    await confirmedAccount(email);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (err) => problems.push(err.message));

    // The header's Account link leads to customer-auth's sign-in page for this store.
    await page.goto(`http://demo.localhost:${port}/`);
    await page.locator('[data-testid="account-link"]').click();
    await page.locator('input[name="password"]').waitFor();
    assert.equal(new URL(page.url()).origin, new URL(env.customerAuthUrl).origin);
    await page.locator('input[name="email"]').fill(email);
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator('[data-testid="account-email"]').waitFor();
    assert.equal(new URL(page.url()).host, `demo.localhost:${port}`);
    assert.equal(await page.locator('[data-testid="account-email"]').innerText(), email);
    const account = await page.goto(`http://demo.localhost:${port}/account`);
    assert.equal(account.headers()["cache-control"], "private, no-store");

    assert.equal(await page.locator('[data-testid="no-orders"]').count(), 1);

    // The shopper buys; on the store's other domain no password is asked, and the order is there.
    const number = await placeOrder(email);
    await page.goto(`http://bazaar.localhost:${port}/account`);
    await page.locator('[data-testid="account-email"]').waitFor();
    assert.equal(new URL(page.url()).host, `bazaar.localhost:${port}`);
    const order = page.locator('[data-testid="account-order"]');
    assert.equal(await order.count(), 1);
    assert.match(await order.innerText(), new RegExp(`Order #${number}[\\s\\S]*to pay on delivery`));
    await page.goto(`http://demo.localhost:${port}/account`);

    // Addresses: two saved (the first is the default), the second made the default, the first
    // deleted; a PIN code in another city is saved but pointed out.
    await page.locator('[data-testid="add-address"]').click();
    await fillAddress(page, { line1: "5 Old Street", city: "Pune", state: "Maharashtra", pin: "411001" });
    await page.locator('[data-testid="save-address"]').click();
    await page.locator('[data-testid="account-address"]').waitFor();
    await page.locator('[data-testid="add-address"]').click();
    await fillAddress(page, { line1: "9 Lake View", city: "", state: "Karnataka", pin: "560001" });
    await page.locator('[data-testid="save-address"]').click();
    await page.locator('[data-testid="error-city"]').waitFor();
    await page.fill("#city", "Mumbai");
    await page.locator('[data-testid="save-address"]').click();
    const cards = page.locator('[data-testid="account-address"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="account-address"]').length === 2);
    assert.match(await cards.nth(0).innerText(), /Default[\s\S]*5 Old Street/);
    assert.match(await cards.nth(1).innerText(), /9 Lake View[\s\S]*may not match/);
    await cards.nth(1).locator('[data-testid="edit-address"]').click();
    await page.fill("#city", "Bengaluru");
    await page.locator('[data-testid="save-address"]').click();
    await cards.nth(1).locator('[data-testid="make-default"]').click();
    await page.waitForFunction(() => /Lake View/.test(document.querySelector('[data-testid="account-address"]')?.innerText ?? ""));
    assert.match(await cards.nth(0).innerText(), /Default[\s\S]*9 Lake View[\s\S]*Bengaluru/);
    assert.doesNotMatch(await cards.nth(0).innerText(), /may not match/);
    await cards.nth(1).locator('[data-testid="delete-address"]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="account-address"]').length === 1);

    // Checkout starts from the default address and, with the receipt sent elsewhere, the order is
    // still the account's.
    const tote = (await (await fetch(`${env.coreUrl}/api/storefront/domains/demo.localhost/products/jute-tote`, {
      headers: { authorization: `Bearer ${env.storefrontToken}` },
    })).json()).product.variants[0];
    await context.addCookies([{ name: "zelly_cart", value: `${tote.id.replaceAll("-", "")}_1`, domain: "demo.localhost", path: "/" }]);
    await page.goto(`http://demo.localhost:${checkoutPort}/checkout`);
    assert.equal(await page.inputValue("#line1"), "9 Lake View");
    assert.equal(await page.inputValue("#postal_code"), "560001");
    assert.equal(await page.inputValue("#email"), email);
    await page.fill("#email", `receipts-${email}`);
    await page.locator('[data-testid="pay-cod"]').check();
    await page.locator('[data-testid="checkout-submit"]').click();
    await page.locator('[data-testid="place-order"]').click();
    await page.waitForURL(/\/confirmation$/);
    const linked = (await page.locator('[data-testid="order-number"]').innerText()).replace("#", "");
    await page.goto(`http://demo.localhost:${port}/account`);
    assert.match(await page.locator('[data-testid="account-order"]').first().innerText(), new RegExp(`Order #${linked}`));

    // Shared pages carry nobody's data: the home page signed in and signed out are alike.
    const signedIn = await (await page.goto(`http://demo.localhost:${port}/`)).text();
    await page.goto(`http://bazaar.localhost:${port}/account`);
    const anonymous = (await getWithHost(port, `demo.localhost:${port}`, "/")).body;
    assert.ok(!signedIn.includes(email) && !anonymous.includes(email));

    // Signing out on one domain ends the sign-in on the other one too.
    await page.locator('[data-testid="sign-out"]').click();
    await page.waitForURL(`http://bazaar.localhost:${port}/`);
    await page.goto(`http://demo.localhost:${port}/account`);
    await page.locator('input[name="password"]').waitFor();
    assert.equal(new URL(page.url()).origin, new URL(env.customerAuthUrl).origin, "asked to sign in again");
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test("the merchant finds the store's new customer in seller-ui's Customers tab, on a phone too", async () => {
  const email = `found-${Date.now()}@example.com`;
  await confirmedAccount(email);
  const { page, problems } = await watchedPage(browser);
  await signInToSellerUi(page);
  await page.locator('[data-testid="customers-nav"]').click();
  await page.locator('[data-testid="customers-search"]').fill(email);
  await page.locator('[data-testid="customers-search-submit"]').click();
  const row = page.locator('[data-testid="customer-row"]', { hasText: email });
  await row.waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('[data-testid="customer-row"]').count(), 1);
  assert.match(await row.innerText(), /Email confirmed/);
  // The details: the addresses and orders of this customer (none yet).
  await row.locator('[data-testid="customer-details"]').click();
  const detail = row.locator('[data-testid="customer-detail"]');
  await detail.waitFor();
  assert.match(await detail.innerText(), /No saved addresses\.[\s\S]*No orders yet\./);
  await page.setViewportSize({ width: 390, height: 844 });
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false, "no sideways scroll");
  const search = await page.locator('[data-testid="customers-search"]').boundingBox();
  assert.ok(search.height >= 44, `the search box is ${search.height} px high`);
  assert.deepEqual(problems, []);
  await page.close();
});
