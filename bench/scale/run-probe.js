'use strict';
/**
 * Preloaded into the product's `run` process by bench/scale.js (`node --require run-probe.js
 * bin/appgw-insights run …`), so the figures come from the run itself without changing what it does:
 *
 * - sinks: every sink the run builds (`buildSinks` in dist/src/app/build-adapters.js) is wrapped so each
 *   call of one of its methods that returns a promise is timed; `busyInMs` is the time at least one
 *   sink call was in flight (the union of the calls' intervals: what the sinks add to the wall time at
 *   most), `callsInMs` their sum. The wrapper adds two clock reads per call.
 * - peak RSS: `process.resourceUsage().maxRSS` (kilobytes) at exit, and the CPU time used (user + system);
 *   the V8 heap's peak `heapUsed`, sampled every 250 ms.
 * - TLS connections: every `tls.connect` the run made (node:https's agents call it per new socket), so a
 *   figure shows whether connections are kept alive and shared, and the most open at once.
 *
 * - with BENCH_SCALE_DISCARD_SINKS=1, the sinks' `deliver` calls are discarded (see wrapSink).
 *
 * - timeline: when the run sent its first ARM request and had its last ARM answer (every `https.request`).
 *
 * At exit it writes `{ maxRssInKb, heapUsedPeakInKb, cpuInMs, tlsConnections, tlsOpenPeak, sinks: { wrapped, calls, busyInMs, callsInMs },
 * uptimeInMs, timeline: { firstRequestAtInMs, lastAnswerAtInMs } }` as JSON
 * to the file named by BENCH_SCALE_PROBE. When `buildSinks` cannot be wrapped (the module moved), the
 * run still runs and `sinks.wrapped` is false.
 */
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');
const path = require('node:path');
const tls = require('node:tls');
const { setInterval } = require('node:timers');

const out = process.env.BENCH_SCALE_PROBE;
const sinks = { wrapped: false, calls: 0, busyInMs: 0, callsInMs: 0 };
let inFlight = 0;
let busySince = 0;

function timed(fn, self) {
  return function (...args) {
    const result = fn.apply(self, args);
    if (!result || typeof result.then !== 'function') return result;
    const started = performance.now();
    if (inFlight++ === 0) busySince = started;
    const done = () => {
      const ended = performance.now();
      sinks.calls++;
      sinks.callsInMs += ended - started;
      if (--inFlight === 0) sinks.busyInMs += ended - busySince;
    };
    return result.then(
      (value) => (done(), value),
      (error) => {
        done();
        throw error;
      },
    );
  };
}

/**
 * BENCH_SCALE_DISCARD_SINKS=1: every sink call is answered at once without reaching the sink (a
 * receipt with no location), so the same run without the sinks' work can be timed beside it: the
 * difference in CPU and wall time is what the sinks cost (bench/README.md "Scale").
 */
const discard = process.env.BENCH_SCALE_DISCARD_SINKS === '1';
const discarded = () => Promise.resolve({ locations: [] });

function wrapSink(sink) {
  return new Proxy(sink, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return timed(discard && prop === 'deliver' ? discarded : value, target);
    },
  });
}

// The V8 heap's peak (used, as sampled every 250 ms), beside the peak RSS: how much of it is the heap.
let heapUsedPeak = 0;
setInterval(() => {
  heapUsedPeak = Math.max(heapUsedPeak, process.memoryUsage().heapUsed);
}, 250).unref();

let tlsConnections = 0;
let tlsOpen = 0;
let tlsOpenPeak = 0;
const connect = tls.connect;
// node:https looks `tls.connect` up on the module at each new socket, so this sees every one.
tls.connect = function (...args) {
  tlsConnections++;
  tlsOpenPeak = Math.max(tlsOpenPeak, ++tlsOpen);
  const socket = connect.apply(this, args);
  socket.once('close', () => tlsOpen--);
  return socket;
};

// The run's timeline on its own clock (ms since the process started): its first and last ARM request
// (every `https.request`; storage in this bench is a folder, or Azurite over http), so the bench can
// say how much of the wall time is before the first request and after the last answer.
const timeline = { firstRequestAtInMs: undefined, lastAnswerAtInMs: undefined };
const https = require('node:https');
const request = https.request;
https.request = function (...args) {
  const req = request.apply(this, args);
  timeline.firstRequestAtInMs ??= performance.now();
  req.once('response', (res) => res.once('end', () => (timeline.lastAnswerAtInMs = performance.now())));
  return req;
};

try {
  const adapters = require(path.join(__dirname, '..', '..', 'dist', 'src', 'app', 'build-adapters.js'));
  const buildSinks = adapters.buildSinks;
  if (typeof buildSinks === 'function') {
    adapters.buildSinks = (...args) => buildSinks(...args).map(wrapSink);
    sinks.wrapped = adapters.buildSinks !== buildSinks;
  }
} catch {
  // Not wrapped: reported as such.
}

process.on('exit', () => {
  if (!out) return;
  if (inFlight > 0) sinks.busyInMs += performance.now() - busySince;
  const usage = process.resourceUsage();
  const report = {
    maxRssInKb: usage.maxRSS,
    heapUsedPeakInKb: Math.round(Math.max(heapUsedPeak, process.memoryUsage().heapUsed) / 1024),
    cpuInMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    tlsConnections,
    tlsOpenPeak,
    sinks: { ...sinks, discarded: discard },
    uptimeInMs: performance.now(),
    timeline,
  };
  fs.writeFileSync(out, `${JSON.stringify(report)}\n`);
});
