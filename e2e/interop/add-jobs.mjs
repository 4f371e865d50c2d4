// Adds INTEROP_COUNT jobs with the Node `bullmq` Queue, as the seed's fastify-nova does, and
// prints what it added: {"jobs": [{"id", "name", "data"}]}.
import { Queue } from "bullmq";
import { settings, connect, report } from "./settings.mjs";

const { url, prefix, queue: name, count } = settings();
const connection = connect(url);
const queue = new Queue(name, { connection, prefix });
const jobs = Array.from({ length: count }, (_, i) => ({
  name: i % 2 === 0 ? "page_view" : "product_view",
  data: {
    event_id: `node-evt-${i}`,
    i,
    amount: i + 0.25,
    text: `héllo ✓ «${i}» "quoted" \\ back`,
    nested: { list: [i, null, true, "x"], empty: {} },
  },
  // Some with a caller-chosen id, as a deduplicating producer would add them.
  opts: i % 3 === 0 ? { jobId: `node-evt-${i}` } : {},
}));
const added = await queue.addBulk(jobs);
report({ jobs: added.map((job) => ({ id: job.id, name: job.name, data: job.data })) });
await queue.close();
await connection.quit();
