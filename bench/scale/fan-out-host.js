'use strict';
/**
 * The Functions host's part, played for bench/scale.js against Azurite (no Core Tools): loads the
 * compiled functions (dist/functions/*.js), finds the timer and the storage-queue functions by the
 * options each module exports (`{ schedule, handler }`, `{ queueName, handler }`), calls the timer
 * once and, while it runs (the host's queue listener does not wait for the timer: a message is taken
 * as soon as it is visible), feeds every queue function its messages as the host would (base64 JSON decoded, up to
 * `BENCH_BATCH` invocations at once, a message deleted when its invocation returns, left to come back
 * after its visibility timeout when it throws, to the `-poison` queue after 5 tries), until every
 * queue is empty, visible and invisible messages alike. So a function that hands its wait to a
 * continuation message (visible after Retry-After) is driven to the end the same way.
 *
 * Measured around each handler invocation: the sum over every queue invocation (`activeInMs`), their
 * count, and the instance's active time (`instanceActiveInMs`: while at least one invocation ran, the
 * union of their intervals, which is what Flex Consumption bills an instance for), and the same union
 * with the timer's invocation in it (`withTimerInMs`: the instance's whole bill for the run). Printed
 * as one JSON line on stdout at the end:
 * `{ timerInMs, queue: { invocations, activeInMs, instanceActiveInMs, failures, poisoned }, withTimerInMs, cpuInMs, wallInMs }`
 * (`cpuInMs`: this process's CPU, its own queue driving included).
 * Settings come from the environment (the app settings: AzureWebJobsStorage, APPGW_*).
 */
const fs = require('node:fs');
const { Buffer } = require('node:buffer');
const { performance } = require('node:perf_hooks');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { InvocationContext } = require('@azure/functions');
const { QueueClient } = require('@azure/storage-queue');

const ROOT = path.join(__dirname, '..', '..');
const BATCH = Number(process.env.BENCH_BATCH ?? 16);
const MAX_DEQUEUE = 5;
const RETRY_AFTER_FAILURE_S = 2;

/** `%NAME%` app-setting references resolved the way the host resolves binding expressions. */
const resolve = (value) => value.replace(/%([^%]+)%/g, (_, name) => process.env[name] ?? '');

function loadFunctions() {
  const dir = path.join(ROOT, 'dist', 'functions');
  const timers = [];
  const queues = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const mod = require(path.join(dir, file));
    for (const value of Object.values(mod)) {
      if (!value || typeof value !== 'object' || typeof value.handler !== 'function') continue;
      if (typeof value.queueName === 'string') queues.push({ ...value, queueName: resolve(value.queueName) });
      else if (value.schedule !== undefined) timers.push(value);
    }
  }
  return { timers, queues };
}

const quiet = (extra = {}) => new InvocationContext({ logHandler: () => {}, ...extra });

async function main() {
  const started = performance.now();
  const { timers, queues } = loadFunctions();
  const connection = process.env.AzureWebJobsStorage;
  // Poison queues get messages only from the host: drive the others, and count what they would get.
  const driven = queues.filter((q) => !q.queueName.endsWith('-poison'));
  const clients = driven.map((q) => ({ fn: q, client: new QueueClient(connection, q.queueName) }));
  for (const { client } of clients) await client.createIfNotExists();

  const queue = { invocations: 0, activeInMs: 0, instanceActiveInMs: 0, failures: 0, poisoned: 0 };
  // The instance's active time: while at least one invocation runs (the union of their intervals).
  // Flex Consumption bills an on-demand instance for the time it is executing functions, concurrent
  // executions once (learn.microsoft.com azure-functions/functions-consumption-costs, "Flex
  // Consumption plan": on-demand "while each on-demand instance is actively executing functions").
  // Two unions: the queue invocations' (the per-gateway figure) and every invocation's, the timer's too.
  const union = () => {
    let inFlight = 0;
    let since = 0;
    const u = {
      inMs: 0,
      start: (at) => {
        if (inFlight++ === 0) since = at;
      },
      end: (at) => {
        if (--inFlight === 0) u.inMs += at - since;
      },
    };
    return u;
  };
  const queueUnion = union();
  const allUnion = union();

  const t = performance.now();
  let timerInMs;
  allUnion.start(t);
  // Not awaited: the queues are driven while the timer queues its messages, as the host does.
  const timerRun = (async () => {
    try {
      for (const timer of timers) {
        await timer.handler(
          {
            isPastDue: false,
            schedule: { adjustForDST: false },
            scheduleStatus: { last: '', next: '', lastUpdated: '' },
          },
          quiet({ invocationId: 'bench-run' }),
        );
      }
    } finally {
      const ended = performance.now();
      timerInMs = ended - t;
      allUnion.end(ended);
    }
  })();
  let timerDone = false;
  timerRun.then(
    () => (timerDone = true),
    () => (timerDone = true),
  );

  const running = new Set();
  const invoke = async ({ fn, client }, item) => {
    const message = JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8'));
    const context = quiet({ triggerMetadata: { dequeueCount: item.dequeueCount } });
    const at = performance.now();
    queueUnion.start(at);
    allUnion.start(at);
    let failed = false;
    try {
      await fn.handler(message, context);
    } catch {
      failed = true;
    }
    const ended = performance.now();
    queue.activeInMs += ended - at;
    queueUnion.end(ended);
    allUnion.end(ended);
    queue.invocations++;
    if (!failed) return client.deleteMessage(item.messageId, item.popReceipt);
    queue.failures++;
    if (item.dequeueCount < MAX_DEQUEUE) {
      // Back on the queue after a short pause, as after the host's failed invocation.
      return client.updateMessage(item.messageId, item.popReceipt, undefined, RETRY_AFTER_FAILURE_S);
    }
    queue.poisoned++;
    await client.deleteMessage(item.messageId, item.popReceipt);
  };
  for (;;) {
    let received = 0;
    for (const entry of clients) {
      const room = BATCH - running.size;
      if (room <= 0) break;
      const { receivedMessageItems } = await entry.client.receiveMessages({
        numberOfMessages: Math.min(32, room),
        visibilityTimeout: 600, // the invocation's lease
      });
      for (const item of receivedMessageItems) {
        received++;
        const p = invoke(entry, item)
          .catch((error) => process.stderr.write(`fan-out host: ${error.message}\n`))
          .finally(() => running.delete(p));
        running.add(p);
      }
    }
    if (received > 0) continue;
    if (running.size > 0) {
      await Promise.race(running);
      continue;
    }
    // Nothing visible and nothing running: done when the timer is and no message waits invisible either.
    let waiting = 0;
    for (const { client } of clients) waiting += (await client.getProperties()).approximateMessagesCount ?? 0;
    if (waiting === 0 && timerDone) break;
    await sleep(100);
  }
  await timerRun; // a timer that failed fails the bench here
  queue.instanceActiveInMs = queueUnion.inMs;
  const withTimerInMs = allUnion.inMs;
  const cpu = process.cpuUsage();
  const cpuInMs = (cpu.user + cpu.system) / 1000; // the host's own queue driving included
  process.stdout.write(
    `${JSON.stringify({ timerInMs, queue, withTimerInMs, cpuInMs, wallInMs: performance.now() - started })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`fan-out host: ${error.stack ?? error}\n`);
    process.exit(1);
  },
);
