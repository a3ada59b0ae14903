'use strict';
/**
 * Sums a V8 .cpuprofile (`node --cpu-prof`; bench/scale.js `--profile DIR`) by where the time went:
 *
 *   node bench/cpuprofile-top.js FILE.cpuprofile [--top 30]
 *
 * - self time by package: `node_modules/<package>` (scoped packages keep their scope), our `src/…` folder
 *   (dist/src/<area>/<folder>), `node:…` internals, and V8's own `(garbage collector)`, `(program)`,
 *   `(idle)`;
 * - self time by function (name, file, line);
 * - total (inclusive) time by function: each sample counts once for every distinct function on its stack.
 *
 * Times come from the profile's samples and their time deltas, in ms; shares are of the sampled total
 * without `(idle)`.
 */
const fs = require('node:fs');

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/cpuprofile-top.js FILE.cpuprofile [--top N]');
  process.exit(2);
}
const topAt = process.argv.indexOf('--top');
const TOP = topAt > 0 ? Number(process.argv[topAt + 1]) : 30;
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** Where a frame's code lives: a package, one of our folders, node's internals, or V8 itself. */
function packageOf(frame) {
  const url = frame.url ?? '';
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:'))
    return `node:${url.slice(5).split('/')[0] === 'internal' ? url.slice(5).split('/').slice(0, 2).join('/') : url.slice(5)}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const src = url.indexOf('/dist/src/');
  if (src >= 0)
    return `src/${
      url
        .slice(src + '/dist/src/'.length)
        .split('/')
        .slice(0, -1)
        .join('/') || '.'
    }`;
  return url.replace(/^file:\/\//, '');
}
const functionOf = (frame) =>
  `${frame.functionName || '(anonymous)'} ${(frame.url ?? '').replace(/^.*\/node_modules\//, '').replace(/^.*\/dist\//, '')}:${frame.lineNumber + 1}`;

const selfByPackage = new Map();
const selfByFunction = new Map();
const totalByFunction = new Map();
const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms);
let total = 0;
let idle = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const ms = (profile.timeDeltas[i] ?? 0) / 1000;
  const node = nodes.get(profile.samples[i]);
  if (node.callFrame.functionName === '(idle)') {
    idle += ms;
    continue;
  }
  total += ms;
  add(selfByPackage, packageOf(node.callFrame), ms);
  add(selfByFunction, functionOf(node.callFrame), ms);
  const seen = new Set();
  for (let id = node.id; id !== undefined; id = parent.get(id)) {
    const key = functionOf(nodes.get(id).callFrame);
    if (!seen.has(key)) {
      seen.add(key);
      add(totalByFunction, key, ms);
    }
  }
}

function print(title, map) {
  console.log(`\n${title}`);
  for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, TOP))
    console.log(`${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${key}`);
}
console.log(`${file}: ${total.toFixed(0)} ms sampled (not idle), ${idle.toFixed(0)} ms idle`);
print('self time by package', selfByPackage);
print('self time by function', selfByFunction);
print('total time by function', totalByFunction);
