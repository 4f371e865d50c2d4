// Platform staff in admin-ui, in headless Chromium against the whole running platform: sign in
// with an authenticator app, suspend a store (its storefront closes) and reopen it, read the
// audit log, and retry a job that failed for good after its alert reached the Slack stand-in.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Queue } from "bullmq";
import { env, getWithHost, launchBrowser, totpCode, watchedPage } from "./env.mjs";

let browser;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/// Polls `check` until it answers something truthy, for up to `seconds`.
async function until(check, what, seconds = 30) {
  for (let i = 0; i < seconds * 10; i++) {
    const found = await check();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out after ${seconds} s: ${what}`);
}

const storefrontStatus = async () => (await getWithHost(env.storefrontPort, "chai.localhost", "/")).status;

test("staff sign in with an authenticator, suspend and reopen a store, see the audit log and retry a failed job that Slack heard of", async () => {
  const { page, problems } = await watchedPage(browser);
  await page.goto(`${env.adminUiUrl}/`);

  // The first sign-in of an admin sets up the authenticator app before anything else opens.
  await page.locator('[data-testid="signin-email"]').fill(env.staffEmail);
  await page.locator('[data-testid="signin-password"]').fill(env.staffPassword);
  await page.locator('[data-testid="signin-submit"]').click();
  const secret = await page.locator('[data-testid="enroll-secret"]').getAttribute("data-secret", { timeout: 20_000 });
  assert.match(secret, /^[A-Z2-7]{16,}=*$/);
  await page.locator('[data-testid="enroll-code"]').fill(await totpCode(secret));
  await page.locator('[data-testid="enroll-submit"]').click();

  // Every store, with its domains and figures.
  const rows = page.locator('[data-testid="tenant-row"]');
  await rows.first().waitFor({ timeout: 20_000 });
  assert.equal(await rows.count(), 2, "the two demo stores");
  assert.match(await rows.filter({ hasText: "Chai Corner" }).innerText(), /chai\.localhost/);
  assert.match(await rows.filter({ hasText: "Zelly Demo Bazaar" }).innerText(), /demo\.localhost/);
  assert.match(await page.locator('[data-testid="signed-in-as"]').innerText(), new RegExp(env.staffEmail));

  // At a phone's width nothing spills sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the tenant list is ${overflow}px wider than a 390px screen`);
  await page.setViewportSize({ width: 1280, height: 900 });

  // Suspend Chai Corner: its storefront closes.
  assert.equal(await storefrontStatus(), 200);
  await rows.filter({ hasText: "Chai Corner" }).locator("a").first().click();
  await page.locator('[data-testid="tenant-status-button"]').click();
  await page.locator('[data-testid="status-reason"]').fill("Chargebacks under review");
  await page.locator('[data-testid="status-confirm"]').click();
  await page.locator('[data-testid="tenant-status"]').filter({ hasText: /suspended/i }).waitFor({ timeout: 20_000 });
  await until(async () => (await storefrontStatus()) === 503, "the suspended store's storefront to close");

  // The audit log shows who did it and why.
  await page.locator('[data-testid="nav-audit"]').click();
  const suspended = page.locator('[data-testid="audit-row"][data-action="tenant.suspend"]');
  await suspended.first().waitFor({ timeout: 20_000 });
  const row = await suspended.first().innerText();
  assert.match(row, new RegExp(env.staffEmail));
  assert.match(row, /Chargebacks under review/);

  // Reopen it, so the store is back for shoppers (and for the tests after this one).
  await page.goBack();
  await page.locator('[data-testid="tenant-status-button"]').click();
  await page.locator('[data-testid="status-reason"]').fill("Cleared by the payments team");
  await page.locator('[data-testid="status-confirm"]').click();
  await page.locator('[data-testid="tenant-status"]').filter({ hasText: /active/i }).waitFor({ timeout: 20_000 });
  await until(async () => (await storefrontStatus()) === 200, "the reopened store's storefront to serve again");

  // A job fails for good (a settings fetch that is not one): the alert reaches Slack once.
  const redis = new URL(env.redisUrl);
  const queue = new Queue("SHOPIFY_SETTINGS_FETCH", { connection: { host: redis.hostname, port: Number(redis.port) } });
  await queue.add("fetch", { not: "a settings job" }, { jobId: "e2e-broken-fetch", attempts: 1 });
  await queue.close();
  const alerts = await until(async () => {
    const messages = await (await fetch(`${env.slackUrl}/messages`)).json();
    const mine = messages.filter((m) => (m.text ?? "").includes("e2e-broken-fetch"));
    return mine.length > 0 && mine;
  }, "the failed job's alert in the Slack stand-in", 60);
  assert.equal(alerts.length, 1, "posted once");
  assert.match(alerts[0].text, /SHOPIFY_SETTINGS_FETCH/);

  // The queues dashboard shows it; support retries it from there.
  await page.locator('[data-testid="nav-queues"]').click();
  const fetchQueue = page.locator('[data-testid="queue-row"][data-queue="SHOPIFY_SETTINGS_FETCH"]');
  await fetchQueue.waitFor({ timeout: 20_000 });
  await fetchQueue.locator('a[data-testid="queue-failed"]').click({ timeout: 20_000 });
  const failed = page.locator('[data-testid="failed-job-row"][data-job="e2e-broken-fetch"]');
  await failed.waitFor({ timeout: 20_000 });
  assert.match(await failed.innerText(), /not a settings job/);
  await failed.locator('[data-testid="retry-job"]').click();
  // The retry is in the audit log.
  await page.locator('[data-testid="nav-audit"]').click();
  await page.locator('[data-testid="audit-row"][data-action="queue.retry"]').first().waitFor({ timeout: 20_000 });

  assert.deepEqual(problems, []);
  await page.close();
});
