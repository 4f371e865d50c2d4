// On-demand TLS with the real Caddy in front of the native storefront: Caddy asks the storefront's
// /allow-cert before issuing, so a tenant's domain gets a certificate and an unknown one is refused
// at the handshake. (e2e/caddy/Caddyfile.test; Caddy's internal CA stands in for Let's Encrypt.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import tls from "node:tls";
import { env } from "./env.mjs";

let caddy;
let dir;
let httpsPort;

/// A port that is free right now.
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`caddy did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/// A TLS handshake to Caddy naming `servername`, then one HTTP GET over it.
function fetchOverTls(servername, path = "/") {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port: httpsPort, servername, rejectUnauthorized: false });
    socket.setTimeout(30_000, () => socket.destroy(new Error("timed out")));
    socket.on("error", reject);
    socket.on("secureConnect", () => {
      const cert = socket.getPeerCertificate();
      let response = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk) => (response += chunk));
      socket.on("end", () => resolve({ cert, response }));
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${servername}\r\nConnection: close\r\n\r\n`);
    });
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "zelly-caddy-"));
  httpsPort = await freePort();
  const httpPort = await freePort();
  caddy = spawn("caddy", ["run", "--config", "caddy/Caddyfile.test", "--adapter", "caddyfile"], {
    cwd: new URL("..", import.meta.url).pathname,
    env: {
      ...process.env,
      ZELLY_STOREFRONT_PORT: env.storefrontPort,
      ZELLY_CADDY_HTTPS_PORT: String(httpsPort),
      ZELLY_CADDY_HTTP_PORT: String(httpPort),
      ZELLY_CADDY_STORAGE_DIR: join(dir, "storage"),
      XDG_CONFIG_HOME: join(dir, "config"),
      XDG_DATA_HOME: join(dir, "data"),
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  caddy.stderr.on("data", (chunk) => (log += chunk));
  caddy.on("exit", (code) => {
    if (code) console.error(`caddy exited with ${code}:\n${log}`);
  });
  await waitForPort(httpsPort, 30_000);
});

after(() => {
  caddy?.kill("SIGTERM");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("Caddy issues a certificate for a tenant's domain and serves its storefront", async () => {
  const { cert, response } = await fetchOverTls("demo.localhost");
  assert.match(cert.subjectaltname ?? "", /DNS:demo\.localhost/);
  assert.match(response, /^HTTP\/1\.1 200/);
  assert.match(response, /Zelly Demo Bazaar/);
});

test("Caddy refuses the handshake for a domain no tenant owns", async () => {
  await assert.rejects(fetchOverTls("unknown-shop.localhost"), /alert|handshake|socket|ECONNRESET|disconnected/i);
});
