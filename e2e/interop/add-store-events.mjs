// Adds INTEROP_COUNT storefront events to `store-events` with the Node `bullmq` Queue, shaped as
// the seed's fastify-nova publishes them (the StoreEvent job data documented in the README), for
// tenant INTEROP_TENANT. Prints {"jobs": [{"id", "name", "data"}]}.
import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { settings, connect, report } from "./settings.mjs";

const { url, prefix, queue: name, count } = settings();
const tenant = process.env.INTEROP_TENANT;
if (!tenant) throw new Error("INTEROP_TENANT is not set");
const connection = connect(url);
const queue = new Queue(name, { connection, prefix });
const now = Date.now();
const jobs = Array.from({ length: count }, (_, i) => {
  const event_id = randomUUID();
  const product = i % 2 === 1;
  return {
    name: product ? "product_view" : "page_view",
    data: {
      event_id,
      tenant_id: tenant,
      received_at_ms: now,
      kind: product ? "product_view" : "page_view",
      session_id: `node-session-${i % 7}`,
      path: product ? "/products/brass-diya" : "/",
      ...(product ? { product_id: "00000000-0000-4000-8000-000000000001" } : {}),
    },
    opts: { jobId: event_id, attempts: 20, backoff: { type: "exponential", delay: 1000 } },
  };
});
const added = await queue.addBulk(jobs);
report({ jobs: added.map((job) => ({ id: job.id, name: job.name, data: job.data })) });
await queue.close();
await connection.quit();
