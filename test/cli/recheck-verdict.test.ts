import { recheckVerdict } from '../../src/cli/recheck-verdict';

const healthy = (episodeClosed = false) => ({ state: 'healthy', episodeClosed });
const bad = { state: 'unhealthy', episodeClosed: false };

describe("recheck's last line", () => {
  it.each<[string, Parameters<typeof recheckVerdict>[0], string]>([
    [
      'one server healthy, its episode closed',
      { servers: [healthy(true)], notDelivered: 0, stateErrors: 0 },
      'The recheck is ok: the server of pool pool-a healthy; 1 episode closed.',
    ],
    [
      'every server healthy, none had an episode',
      { servers: [healthy(), healthy()], notDelivered: 0, stateErrors: 0 },
      'The recheck is ok: all 2 servers of pool pool-a healthy.',
    ],
    [
      'one of three still bad',
      { servers: [healthy(true), bad, healthy()], notDelivered: 0, stateErrors: 0 },
      'The recheck is not ok: 1 of 3 servers not healthy: fix it (the steps above), then recheck again.',
    ],
    [
      'both bad',
      { servers: [bad, bad], notDelivered: 0, stateErrors: 0 },
      'The recheck is not ok: 2 of 2 servers not healthy: fix them (the steps above), then recheck again.',
    ],
    [
      'no server in the pool',
      { servers: [], notDelivered: 0, stateErrors: 0 },
      'The recheck is not ok: pool pool-a has no servers: nothing was confirmed.',
    ],
    [
      'healthy, but its recovered not delivered and the state failing',
      { servers: [healthy(true)], notDelivered: 1, stateErrors: 2 },
      'The recheck is not ok: 1 notice not delivered (above); the notify state could not be read or written (above).',
    ],
  ])('%s', (_label, input, line) => {
    expect(recheckVerdict(input, 'pool-a')).toBe(line);
  });
});
