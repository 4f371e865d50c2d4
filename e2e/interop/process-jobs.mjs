// Runs a Node `bullmq` Worker, as the seed's store-events-consumer does, until INTEROP_COUNT jobs
// have completed, then prints what it saw: {"jobs": [{"id", "name", "data", "attempts", "backoff"}]}.
import { Worker } from "bullmq";
import { settings, connect, report } from "./settings.mjs";

const { url, prefix, queue: name, count } = settings();
const connection = connect(url);
const seen = [];
let completed = 0;
let allDone;
const done = new Promise((resolve) => (allDone = resolve));
const worker = new Worker(
  name,
  async (job) => {
    seen.push({ id: job.id, name: job.name, data: job.data, attempts: job.opts.attempts, backoff: job.opts.backoff });
    return { stored: true };
  },
  { connection, prefix, concurrency: 8 },
);
worker.on("completed", () => {
  completed += 1;
  if (completed >= count) allDone();
});
worker.on("error", (err) => console.error("worker error:", err));
const timer = setTimeout(() => {
  console.error(`timed out: ${completed} of ${count} jobs completed`);
  process.exit(1);
}, 30_000);
await done;
clearTimeout(timer);
await worker.close();
await connection.quit();
report({ jobs: seen });
