// Where the platform under test runs: `cargo xtask test` starts it on free ports and sets these.
import { chromium } from "playwright-core";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests through \`cargo xtask test\``);
  return value;
}

export const env = {
  coreUrl: required("ZELLY_CORE_URL"),
  adminUrl: required("ZELLY_ADMIN_URL"),
  storefrontPort: required("ZELLY_STOREFRONT_PORT"),
  storefrontWorkerPort: required("ZELLY_STOREFRONT_WORKER_PORT"),
  checkoutPort: required("ZELLY_CHECKOUT_PORT"),
  checkoutWorkerPort: required("ZELLY_CHECKOUT_WORKER_PORT"),
  sellerUiUrl: required("ZELLY_SELLER_UI_URL"),
  adminUiUrl: required("ZELLY_ADMIN_UI_URL"),
  storefrontToken: required("ZELLY_STOREFRONT_TOKEN"),
  authUrl: required("ZELLY_AUTH_URL"),
  razorpayUrl: required("ZELLY_RAZORPAY_URL"),
  dnsUrl: required("ZELLY_DNS_URL"),
  mailUrl: required("ZELLY_MAIL_URL"),
  customerAuthUrl: required("ZELLY_CUSTOMER_AUTH_URL"),
  shopifyUrl: required("ZELLY_SHOPIFY_URL"),
  slackUrl: required("ZELLY_SLACK_URL"),
  staffEmail: required("ZELLY_STAFF_EMAIL"),
  staffPassword: required("ZELLY_STAFF_PASSWORD"),
  redisUrl: required("ZELLY_REDIS_URL"),
};

/// The six-digit code an authenticator app shows for a base32 TOTP secret (RFC 6238: SHA-1,
/// 30-second steps) at `atSeconds`.
export async function totpCode(secretBase32, atSeconds = Date.now() / 1000) {
  const { createHmac } = await import("node:crypto");
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secretBase32.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atSeconds / 30)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, "0");
}

/// The emails the mail catcher (MailDev) holds for `to`, newest last, polled until one arrives.
export async function emailsTo(to) {
  for (let tries = 0; tries < 100; tries++) {
    const all = await (await fetch(`${env.mailUrl}/email`)).json();
    const mine = all.filter((mail) => mail.to.some((rcpt) => rcpt.address.toLowerCase() === to.toLowerCase()));
    if (mine.length > 0) return mine;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no email reached ${to} within 20 s`);
}

/// A merchant's Firebase-format ID token from dev-auth (the Firebase sign-in REST shape).
export async function merchantToken(email, password = "demo-password") {
  const res = await fetch(`${env.authUrl}/v1/accounts:signInWithPassword?key=dev`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, returnSecureToken: true }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${email} failed: ${res.status}`);
  return (await res.json()).idToken;
}

/// The demo store's URL on a storefront port (`*.localhost` resolves to loopback in Chromium).
export const demoStore = (port) => `http://demo.localhost:${port}`;

/// A request to a local port with an explicit Host header, as a merchant domain would arrive.
export async function getWithHost(port, host, path, init = {}) {
  const { request } = await import("node:http");
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: Number(port), path, method: init.method ?? "GET", headers: { host, ...(init.headers ?? {}) } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    if (init.body) req.write(init.body);
    req.end();
  });
}

/// Headless Chromium as root, with nothing that reaches outside this machine.
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/// A page that records every console error, uncaught exception and failed or 4xx/5xx request.
export async function watchedPage(browser) {
  const page = await browser.newPage();
  const problems = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`exception: ${err.message}`));
  page.on("requestfailed", (req) => {
    // The islands bundle still loading when a test moves on to the next page is cancelled by the
    // navigation, not broken; any other failure counts.
    const cancelled = req.failure()?.errorText === "net::ERR_ABORTED" && new URL(req.url()).pathname.startsWith("/_zelly/pkg/");
    if (!cancelled) problems.push(`request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText}`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return { page, problems };
}

/// Signs in to seller-ui as the demo store's merchant and waits for the product list.
export async function signInToSellerUi(page) {
  await page.goto(`${env.sellerUiUrl}/`);
  await page.locator('[data-testid="signin-email"]').fill("merchant@demo.localhost");
  await page.locator('[data-testid="signin-password"]').fill("demo-password");
  await page.locator('[data-testid="signin-submit"]').click();
  await page.locator('[data-testid="product-row"]').first().waitFor({ timeout: 20_000 });
}
