// A shopper opens an account at the demo store: the confirmation email travels through the queue,
// core-api's mail worker and SMTP into MailDev, and its link opens customer-auth's page, which
// confirms the address on a 390 px phone without a script. Then the password works.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { emailsTo, env, launchBrowser } from "./env.mjs";

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
