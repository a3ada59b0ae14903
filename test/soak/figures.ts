import type { SoakFigures } from './soak';

/** The soak's figures as text: what ran, what was injected, what was said, what was checked. */
export function formatFigures(f: SoakFigures): string {
  const list = (counts: Record<string, number>) =>
    Object.entries(counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  const lines = [
    `seed ${f.seed}; ${f.seconds} s of faults, ${(f.durationInMs / 1000).toFixed(1)} s in all; ${f.machine}`,
    `runs: ${total(f.runs)} (${list(f.runs)})`,
    `gateway evaluations: ${f.gateways.evaluated}; failed reads: ${f.gateways.failedReads}; time-outs of unfaulted reads (busy machine): ${f.gateways.busyTimeouts}`,
    `health transitions: ${total(f.transitions)} (${list(f.transitions)})`,
    `ARM faults: ${total(f.faults.arm)} (${list(f.faults.arm)})`,
    `storage faults: ${list(f.faults.storage)}`,
    `receiver faults (runs × receivers): ${total(f.faults.receivers)} (${list(f.faults.receivers)})`,
    `notices decided: ${total(f.notices.decided)} (${list(f.notices.decided)}); requests to receivers ${f.notices.requests}, accepted ${f.notices.accepted}; parked as dead letters ${f.notices.parked}, re-sent by hand ${f.notices.resentByHand}; delivered by a run that could not record it ${f.notices.atRiskOfRepeat}, of which accepted twice (same id) ${f.notices.repeated}`,
    `checks: ${list(f.checks)}`,
    f.violations.length === 0
      ? 'violations: none'
      : `violations: ${f.violations.length}\n${f.violations.map((v) => `  - ${v}`).join('\n')}`,
  ];
  return `${lines.join('\n')}\n`;
}
