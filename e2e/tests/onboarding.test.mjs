// A new merchant from nothing to a selling store, and a colleague joining it: sign up, open a
// store, add a product that shoppers then see on the store's own address, invite a colleague, who
// signs up from the invite link and works in the store without the owner's controls.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { emailsTo, env, getWithHost, launchBrowser, watchedPage } from "./env.mjs";

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const PHONE = { width: 390, height: 844 };
const PASSWORD = "e2e-password";

/// Creates an account from seller-ui's sign-in screen (already open in `page`).
async function signUp(page, email) {
  const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
  await byTestId("signin-mode").click();
  await byTestId("signup-confirm").waitFor();
  await byTestId("signin-email").fill(email);
  await byTestId("signin-password").fill(PASSWORD);
  await byTestId("signup-confirm").fill(PASSWORD);
  const created = page.waitForResponse((res) => res.url().includes("/v1/accounts:signUp"));
  await byTestId("signin-submit").click();
  assert.equal((await created).status(), 200, `the account ${email} is created`);
}

/// Waits for the answer to the API call whose path ends with `path` (and method, if given).
function apiAnswer(page, path, method = undefined) {
  return page.waitForResponse((res) => {
    const url = new URL(res.url());
    return url.origin === new URL(env.coreUrl).origin && url.pathname === path && (!method || res.request().method() === method);
  });
}

/// How far the page is wider than the screen, and each visible control under 44 px high.
async function phoneProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const wide = document.documentElement.scrollWidth - window.innerWidth;
    if (wide > 0) problems.push(`the page is ${wide}px wider than the screen`);
    for (const el of document.querySelectorAll("button, .tab, a.button, input, select")) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || el.closest(".visually-hidden")) continue;
      if (box.height < 43.5) problems.push(`${el.dataset.testid ?? el.textContent?.trim() ?? el.tagName}: ${Math.round(box.height)}px high`);
      if (box.right > window.innerWidth + 0.5) problems.push(`${el.dataset.testid ?? el.tagName} sticks out to ${Math.round(box.right)}px`);
    }
    return problems;
  });
}

test("a new merchant opens a store, sells a product and brings in a colleague", async () => {
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const slug = `e2e-shop-${run}`;
  const ownerEmail = `owner-${run}@shop.example`;
  const colleagueEmail = `colleague-${run}@shop.example`;

  // --- The owner signs up: an account with no store is offered to open one.
  const { page, problems } = await watchedPage(browser);
  const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
  await page.goto(`${env.sellerUiUrl}/`);
  await signUp(page, ownerEmail);
  await byTestId("open-store-form").waitFor({ timeout: 20_000 });
  assert.match(await page.locator("#open-store-heading").innerText(), /Open your store/);

  await byTestId("store-name").fill(`E2E Shop ${run}`);
  // The address follows the name, with its live preview; the test picks its own, unique one.
  await page.waitForFunction((want) => document.querySelector('[data-testid="store-slug"]')?.value === want, `e2e-shop-${run}`);
  await byTestId("store-slug").fill(slug);
  assert.match(await byTestId("store-address-preview").innerText(), new RegExp(`${slug}\\.localhost`));
  assert.equal(await byTestId("store-currency").inputValue(), "INR");
  const opened = apiAnswer(page, "/api/seller/stores", "POST");
  await byTestId("open-store-submit").click();
  assert.equal((await opened).status(), 201);

  // --- It lands on its (empty) product list, with the checklist of a new store.
  await byTestId("checklist").waitFor({ timeout: 20_000 });
  assert.equal(await byTestId("checklist-product").getAttribute("data-done"), "false");
  assert.match(await page.locator(".who-store").innerText(), new RegExp(`E2E Shop ${run}`));

  // --- Adds an active product from the checklist.
  await byTestId("checklist-product").locator("a").click();
  await byTestId("product-title").waitFor({ timeout: 20_000 });
  await byTestId("product-title").fill("Onboarding Teapot");
  await byTestId("product-status").selectOption("active");
  await byTestId("option-name-0").fill("Size");
  await byTestId("variant-sku-0").fill(`TEAPOT-${run}`.toUpperCase());
  await byTestId("variant-option-0-0").fill("One size");
  await byTestId("variant-price-0").fill("899");
  await byTestId("variant-stock-0").fill("4");
  const created = apiAnswer(page, "/api/seller/products", "POST");
  await byTestId("product-save").click();
  assert.equal((await created).status(), 201);
  await page.waitForURL(/#\/products\/[0-9a-f-]{36}$/, { timeout: 20_000 });
  await page.locator('[data-testid="inventory-history-0"]').waitFor({ state: "attached", timeout: 20_000 });

  // The checklist now counts the product.
  await byTestId("products-nav").click();
  await byTestId("product-row").first().waitFor({ timeout: 20_000 });
  await page.locator('[data-testid="checklist-product"][data-done="true"]').waitFor({ timeout: 20_000 });

  // --- Shoppers find it on the store's own address.
  const shopper = await browser.newPage();
  const storeUrl = `http://${slug}.localhost:${env.storefrontPort}/`;
  let home;
  for (const deadline = Date.now() + 10_000; ; ) {
    home = await shopper.goto(storeUrl);
    if ((home.status() === 200 && /Onboarding Teapot/.test(await shopper.content())) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  assert.equal(home.status(), 200);
  assert.match(await shopper.locator("body").innerText(), /Onboarding Teapot/);
  await shopper.close();

  // --- Invites a colleague as staff: the link shows once.
  await byTestId("team-nav").click();
  await byTestId("invite-form").waitFor({ timeout: 20_000 });
  await byTestId("member-row").first().waitFor();
  assert.match(await byTestId("member-row").first().innerText(), /you/);
  await byTestId("invite-email").fill(colleagueEmail);
  await byTestId("invite-role").selectOption("staff");
  const invited = apiAnswer(page, "/api/seller/team/invites", "POST");
  await byTestId("invite-submit").click();
  assert.equal((await invited).status(), 201);
  await byTestId("invite-link").waitFor();
  const shownLink = await byTestId("invite-link").inputValue();
  assert.match(shownLink, /#\/invite\/[0-9a-z]+$/);
  assert.match(await byTestId("invite-link-box").innerText(), new RegExp(`emailed.*${colleagueEmail}`));

  // The colleague gets it by email (through SMTP, caught by MailDev): from the owner, with the
  // same single-use link.
  const [mail] = await emailsTo(colleagueEmail);
  assert.equal(mail.subject, `${ownerEmail} invited you to E2E Shop ${run} on Zelly`);
  assert.deepEqual(mail.replyTo?.map((r) => r.address), [ownerEmail]);
  const link = mail.text.match(/^(http\S+#\/invite\/[0-9a-z]+)$/m)?.[1];
  assert.equal(link, shownLink, mail.text);
  assert.match(mail.text, /works once, until/);
  await page.locator('[data-testid="invite-row"]', { hasText: colleagueEmail }).waitFor({ timeout: 20_000 });

  // The team screen fits a 390 px phone: no sideways scroll, 44 px tap targets.
  await page.setViewportSize(PHONE);
  assert.deepEqual(await phoneProblems(page), [], "the team screen on a phone");
  await page.waitForLoadState("networkidle");
  assert.deepEqual(problems, []);

  // --- The colleague, in a browser of their own, opens the link and signs up.
  const context = await browser.newContext();
  const colleague = await context.newPage();
  const colleagueProblems = [];
  colleague.on("console", (msg) => msg.type() === "error" && colleagueProblems.push(`console: ${msg.text()}`));
  colleague.on("pageerror", (err) => colleagueProblems.push(`exception: ${err.message}`));
  const byId = (id) => colleague.locator(`[data-testid="${id}"]`);
  await colleague.goto(link);
  await byId("invite-signin-notice").waitFor({ timeout: 20_000 });
  const accepted = apiAnswer(colleague, "/api/seller/invites/accept", "POST");
  await signUp(colleague, colleagueEmail);
  assert.equal((await accepted).status(), 200);

  // They land in the store, on its products.
  await byId("product-row").first().waitFor({ timeout: 20_000 });
  assert.match(await byId("product-row").first().innerText(), /Onboarding Teapot/);
  assert.match(await colleague.locator(".who-store").innerText(), new RegExp(`E2E Shop ${run}`));
  assert.equal(await byId("checklist").count(), 0, "the checklist is the owners'");

  // As staff, the team and domains are read-only…
  await byId("team-nav").click();
  await byId("team-read-only").waitFor({ timeout: 20_000 });
  await byId("member-row").nth(1).waitFor({ timeout: 20_000 });
  assert.equal(await byId("invite-form").count(), 0);
  assert.equal(await byId("member-role").count(), 0);
  assert.equal(await byId("remove-member").count(), 0);
  await byId("domains-nav").click();
  await byId("domains-read-only").waitFor({ timeout: 20_000 });
  await byId("domain-row").first().waitFor({ timeout: 20_000 });
  assert.equal(await byId("add-domain-form").count(), 0);
  assert.equal(await byId("remove-domain").count(), 0);

  // …and the API refuses them the owner's changes.
  const refused = await colleague.evaluate(
    async ({ core, email }) => {
      const token = sessionStorage.getItem("zelly-seller.token");
      const call = (method, path, body) =>
        fetch(`${core}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: body && JSON.stringify(body),
        }).then((res) => res.status);
      return {
        invite: await call("POST", "/api/seller/team/invites", { email, role: "staff" }),
        domain: await call("POST", "/api/seller/domains", { domain: "shop.example.com" }),
        team: await call("GET", "/api/seller/team"),
      };
    },
    { core: env.coreUrl, email: `someone-${run}@shop.example` },
  );
  assert.deepEqual(refused, { invite: 403, domain: 403, team: 200 });
  // The two refusals were the test's own calls; nothing else failed.
  assert.deepEqual(
    colleagueProblems.filter((p) => !/403/.test(p)),
    [],
  );

  // The owner sees the colleague join.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.reload();
  await page.locator('[data-testid="member-row"]', { hasText: colleagueEmail }).waitFor({ timeout: 20_000 });
  assert.match(await page.locator('[data-testid="member-row"]', { hasText: colleagueEmail }).innerText(), new RegExp(colleagueEmail));
  assert.equal(await byTestId("invite-row").count(), 0, "the invite is used up");

  await context.close();
  await page.close();
});

test("an invite link that does not exist says so in words", async () => {
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const page = await browser.newPage();
  const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
  await page.goto(`${env.sellerUiUrl}/#/invite/${"0".repeat(64)}`);
  await byTestId("invite-signin-notice").waitFor({ timeout: 20_000 });
  await signUp(page, `nobody-${run}@shop.example`);
  await byTestId("invite-error").waitFor({ timeout: 20_000 });
  assert.match(await byTestId("invite-error").innerText(), /not valid/);
  await page.close();
});

/// Publishes (PUT) or withdraws (DELETE) a record in the DNS stand-in core-api asks.
async function dnsRecord(method, record) {
  const res = await fetch(`${env.dnsUrl}/records`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(record),
  });
  assert.ok(res.ok, `${method} ${JSON.stringify(record)}: ${res.status}`);
}

test("an owner proves a domain through DNS before it gets a certificate, and switches between two stores", async () => {
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const domain = `shop-${run}.example.com`;
  const { page, problems } = await watchedPage(browser);
  const byTestId = (id) => page.locator(`[data-testid="${id}"]`);
  await page.goto(`${env.sellerUiUrl}/`);
  await signUp(page, `domains-${run}@shop.example`);

  // Two stores: the second from the "open a store" screen, which the first one's owner reaches too.
  for (const [slug, name] of [[`first-${run}`, `First ${run}`], [`second-${run}`, `Second ${run}`]]) {
    if (slug.startsWith("second")) await page.goto(`${env.sellerUiUrl}/#/stores/new`);
    await byTestId("open-store-form").waitFor({ timeout: 20_000 });
    await byTestId("store-name").fill(name);
    await byTestId("store-slug").fill(slug);
    const opened = apiAnswer(page, "/api/seller/stores", "POST");
    await byTestId("open-store-submit").click();
    assert.equal((await opened).status(), 201);
    await byTestId("product-search").waitFor({ timeout: 20_000 });
  }
  // With two stores the header names the store in its switcher, on the one just opened;
  // choosing the first works in it (its calls carry X-Zelly-Tenant).
  const switcherOn = (slug) =>
    page.waitForFunction((want) => document.querySelector('[data-testid="store-switcher"]')?.value === want, slug, { timeout: 20_000 });
  await switcherOn(`second-${run}`);
  assert.equal(await page.locator(".who-store").count(), 0);
  const session = apiAnswer(page, "/api/seller/session", "GET");
  await byTestId("store-switcher").selectOption(`first-${run}`);
  assert.equal((await (await session).json()).tenant.slug, `first-${run}`);
  await switcherOn(`first-${run}`);

  // --- A domain: pending, then not found while its TXT record is missing.
  await byTestId("domains-nav").click();
  await byTestId("add-domain-form").waitFor({ timeout: 20_000 });
  await byTestId("domain-input").fill(domain);
  const added = apiAnswer(page, "/api/seller/domains", "POST");
  await byTestId("add-domain").click();
  const claim = await (await added).json();
  assert.equal(claim.status, "pending");
  const row = page.locator(`[data-testid="domain-row"][data-domain="${domain}"]`);
  await row.waitFor({ timeout: 20_000 });
  assert.match(await row.locator('[data-testid="record-txt"]').innerText(), new RegExp(claim.record_value));
  let checked = apiAnswer(page, `/api/seller/domains/${domain}/verify`, "POST");
  await row.locator('[data-testid="verify-domain"]').click();
  assert.equal((await (await checked).json()).status, "failed");
  await row.locator('[data-testid="domain-status"]', { hasText: "Not found yet" }).waitFor({ timeout: 20_000 });
  assert.equal((await fetch(`${env.coreUrl}/validate_tenant_domain/${domain}`)).status, 404, "not served before it is proven");

  // --- The merchant publishes the TXT record: verified, and only now may Caddy get a certificate.
  const txt = { name: `_zelly.${domain}`, type: "TXT", value: claim.record_value };
  await dnsRecord("PUT", txt);
  checked = apiAnswer(page, `/api/seller/domains/${domain}/verify`, "POST");
  await row.locator('[data-testid="verify-domain"]').click();
  assert.equal((await (await checked).json()).status, "verified");
  await row.locator('[data-testid="domain-status"]', { hasText: "Verified" }).waitFor({ timeout: 20_000 });
  const cert = await getWithHost(env.storefrontPort, "localhost", `/allow-cert?domain=${domain}`);
  assert.equal(cert.status, 200, "a certificate for the proven domain");

  // --- The record goes: the next check flags the domain and it is no longer served.
  await dnsRecord("DELETE", txt);
  checked = apiAnswer(page, `/api/seller/domains/${domain}/verify`, "POST");
  await row.locator('[data-testid="verify-domain"]').click();
  assert.equal((await (await checked).json()).status, "flagged");
  await row.locator('[data-testid="domain-status"]', { hasText: "Record missing" }).waitFor({ timeout: 20_000 });
  assert.equal((await fetch(`${env.coreUrl}/validate_tenant_domain/${domain}`)).status, 404);

  // The second store never saw the first one's domain.
  await byTestId("store-switcher").selectOption(`second-${run}`);
  await switcherOn(`second-${run}`);
  await byTestId("domains-nav").click();
  await page.locator(`[data-testid="domain-row"][data-domain="second-${run}.localhost"]`).waitFor({ timeout: 20_000 });
  assert.equal(await page.locator(`[data-testid="domain-row"][data-domain="${domain}"]`).count(), 0);
  await page.waitForLoadState("networkidle");
  assert.deepEqual(problems, []);
  await page.close();
});
