'use strict';
/**
 * Preloaded into the product's `run` process by bench/scale.js (`node --require run-probe.js
 * bin/appgw-insights run …`), so the figures come from the run itself without changing what it does:
 *
 * - sinks: every sink the run builds (`buildSinks` in dist/src/app/build-adapters.js) is wrapped so each
 *   call of one of its methods that returns a promise is timed; `busyInMs` is the time at least one
 *   sink call was in flight (the union of the calls' intervals: what the sinks add to the wall time at
 *   most), `callsInMs` their sum. The wrapper adds two clock reads per call.
 * - peak RSS: `process.resourceUsage().maxRSS` (kilobytes) at exit, and the CPU time used (user + system).
 * - TLS connections: every `tls.connect` the run made (node:https's agents call it per new socket), so a
 *   figure shows whether connections are kept alive and shared, and the most open at once.
 *
 * At exit it writes `{ maxRssInKb, cpuInMs, tlsConnections, tlsOpenPeak, sinks: { wrapped, calls, busyInMs, callsInMs },
 * uptimeInMs }` as JSON
 * to the file named by BENCH_SCALE_PROBE. When `buildSinks` cannot be wrapped (the module moved), the
 * run still runs and `sinks.wrapped` is false.
 */
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');
const path = require('node:path');
const tls = require('node:tls');

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

function wrapSink(sink) {
  return new Proxy(sink, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? timed(value, target) : value;
    },
  });
}

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
    cpuInMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    tlsConnections,
    tlsOpenPeak,
    sinks,
    uptimeInMs: performance.now(),
  };
  fs.writeFileSync(out, `${JSON.stringify(report)}\n`);
});
