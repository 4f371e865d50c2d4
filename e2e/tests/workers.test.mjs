// Both Workers under `wrangler dev` (workerd), held to the same answers as their native hosts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { env, getWithHost } from "./env.mjs";

async function demoVariants() {
  const res = await fetch(`${env.coreUrl}/api/storefront/domains/demo.localhost/products/brass-diya`, {
    headers: { authorization: `Bearer ${env.storefrontToken}` },
  });
  assert.equal(res.status, 200);
  return (await res.json()).product.variants;
}

for (const [label, port] of [
  ["worker", () => env.checkoutWorkerPort],
  ["native", () => env.checkoutPort],
]) {
  test(`checkout (${label}) answers its health route`, async () => {
    const res = await getWithHost(port(), "demo.localhost", "/checkout/health");
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body).status, "ok");
  });
}

test("checkout quotes from origin prices, identically on the Worker and natively", async () => {
  const [small, large] = await demoVariants();
  const body = JSON.stringify({
    lines: [
      { variant_id: small.id, quantity: 2, unit_price: { amount_minor: 1, currency: "INR" } },
      { variant_id: large.id, quantity: 1 },
    ],
  });
  const init = { method: "POST", body, headers: { "content-type": "application/json" } };
  const worker = await getWithHost(env.checkoutWorkerPort, "demo.localhost", "/checkout/quote", init);
  const native = await getWithHost(env.checkoutPort, "demo.localhost", "/checkout/quote", init);
  assert.equal(worker.status, 200, worker.body);
  const quote = JSON.parse(worker.body);
  assert.equal(quote.total.amount_minor, 2 * small.price.amount_minor + large.price.amount_minor);
  assert.equal(quote.lines[0].unit_price.amount_minor, small.price.amount_minor, "the client's price is ignored");
  assert.deepEqual(JSON.parse(native.body), quote);
});

test("checkout refuses unknown stores and bad carts the same way on both hosts", async () => {
  const cases = [
    ["nobody.localhost", JSON.stringify({ lines: [{ variant_id: "00000000-0000-4000-8000-000000000001", quantity: 1 }] }), 404],
    ["demo.localhost", JSON.stringify({ lines: [] }), 400],
    ["demo.localhost", "not json", 400],
    ["demo.localhost", JSON.stringify({ lines: [{ variant_id: "00000000-0000-4000-8000-000000000001", quantity: 1 }] }), 422],
  ];
  for (const [host, body, status] of cases) {
    const init = { method: "POST", body, headers: { "content-type": "application/json" } };
    const worker = await getWithHost(env.checkoutWorkerPort, host, "/checkout/quote", init);
    const native = await getWithHost(env.checkoutPort, host, "/checkout/quote", init);
    assert.equal(worker.status, status, `${host} ${body}: ${worker.body}`);
    assert.equal(native.status, status, `${host} ${body}: ${native.body}`);
    assert.equal(JSON.parse(worker.body).error.code, JSON.parse(native.body).error.code);
  }
});

test("the storefront Worker renders the same HTML as the native host", async () => {
  for (const [host, path, status] of [
    ["demo.localhost", "/", 200],
    ["Demo.LocalHost.", "/products/pashmina-shawl", 200],
    ["demo.localhost", "/collections/festive-picks", 200],
    ["demo.localhost", "/products/no-such-product", 404],
    ["nobody.localhost", "/", 404],
  ]) {
    const worker = await getWithHost(env.storefrontWorkerPort, host, path);
    const native = await getWithHost(env.storefrontPort, host, path);
    assert.equal(worker.status, status, `${host}${path}`);
    assert.equal(native.status, status, `${host}${path}`);
    assert.equal(worker.body, native.body, `${host}${path}: the hosts disagree`);
  }
});

test("the storefront Worker lists the twelve demo products and serves their images", async () => {
  const home = await getWithHost(env.storefrontWorkerPort, "demo.localhost", "/");
  assert.equal(home.status, 200);
  const images = [...home.body.matchAll(/src="(\/assets\/demo\/[a-z-]+\.svg)"/g)].map((m) => m[1]);
  assert.equal(images.length, 12);
  for (const src of images) {
    const res = await getWithHost(env.storefrontWorkerPort, "demo.localhost", src);
    assert.equal(res.status, 200, src);
    assert.match(res.headers["content-type"], /svg/);
  }
});

test("the storefront Worker answers the on-demand TLS question like the native host", async () => {
  for (const [domain, status] of [["demo.localhost", 200], ["nobody.localhost", 404], ["127.0.0.1", 400]]) {
    const worker = await getWithHost(env.storefrontWorkerPort, "localhost", `/allow-cert?domain=${domain}`);
    const native = await getWithHost(env.storefrontPort, "localhost", `/allow-cert?domain=${domain}`);
    assert.equal(worker.status, status, domain);
    assert.equal(native.status, status, domain);
  }
});
