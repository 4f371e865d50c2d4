// What both interop scripts are told by the Rust test that runs them (origin/queue/tests/node_interop.rs).
import IORedis from "ioredis";

export function settings() {
  const get = (name) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: these scripts are run by origin/queue/tests/node_interop.rs`);
    return value;
  };
  return {
    url: get("INTEROP_REDIS_URL"),
    prefix: get("INTEROP_PREFIX"),
    queue: get("INTEROP_QUEUE"),
    count: Number(get("INTEROP_COUNT")),
  };
}

// BullMQ requires maxRetriesPerRequest: null on connections that workers use for blocking calls.
export function connect(url) {
  return new IORedis(url, { maxRetriesPerRequest: null });
}

// The one line the Rust test reads.
export function report(value) {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
