// Adds one job with the Node `bullmq` Queue, as a Node service of the seed would: name
// INTEROP_NAME, data INTEROP_DATA (JSON), id INTEROP_JOB_ID, five attempts with exponential
// backoff. Prints {"jobs": [{"id", "name", "data"}]}.
import { Queue } from "bullmq";
import { settings, connect, report } from "./settings.mjs";

const { url, prefix, queue: name } = settings();
const connection = connect(url);
const queue = new Queue(name, { connection, prefix });
const job = await queue.add(process.env.INTEROP_NAME, JSON.parse(process.env.INTEROP_DATA), {
  jobId: process.env.INTEROP_JOB_ID,
  attempts: 5,
  backoff: { type: "exponential", delay: 1000 },
});
report({ jobs: [{ id: job.id, name: job.name, data: job.data }] });
await queue.close();
await connection.quit();
