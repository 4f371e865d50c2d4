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

for (const [label, port] of [
  ["native", env.storefrontPort],
  ["Worker", env.storefrontWorkerPort],
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
  await page.setViewportSize({ width: 390, height: 844 });
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false, "no sideways scroll");
  const search = await page.locator('[data-testid="customers-search"]').boundingBox();
  assert.ok(search.height >= 44, `the search box is ${search.height} px high`);
  assert.deepEqual(problems, []);
  await page.close();
});
