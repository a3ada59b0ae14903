import fc from 'fast-check';
import { editDistance, nearestName } from '../../../src/core/input/nearest-name';

const KNOWN = [
  'APPGW_TARGETS',
  'APPGW_SCHEDULE',
  'APPGW_QUEUE_NAME',
  'APPGW_ARM_ENDPOINT',
  'APPGW_CONCURRENCY',
];

describe('nearestName: the setting a typo meant', () => {
  it.each([
    ['APPGW_TARGET', 'APPGW_TARGETS'], // a letter short
    ['APPGW_TARGETSS', 'APPGW_TARGETS'], // a letter more
    ['APPGW_SCHEDUEL', 'APPGW_SCHEDULE'], // two swapped
    ['appgw_targets', 'APPGW_TARGETS'], // case
    ['APPGW_QUEUENAME', 'APPGW_QUEUE_NAME'],
    ['APPGW_ARM_ENDPIONT', 'APPGW_ARM_ENDPOINT'],
    ['APPGW_CONCURENCY', 'APPGW_CONCURRENCY'],
  ])('%s → %s', (typo, meant) => {
    expect(nearestName(typo, KNOWN)).toBe(meant);
  });

  it.each(['APPGW_SOMETHING_ELSE', 'APPGW_X', 'APPGW_STORAGE'])('%s is near none', (name) => {
    expect(nearestName(name, KNOWN)).toBeUndefined();
  });

  const NOTIFY_SETTINGS = [
    'APPGW_NOTIFY_FOR',
    'APPGW_NOTIFY_GROUPING',
    'APPGW_NOTIFY_GROUP_WAIT',
    'APPGW_NOTIFY_GROUP_INTERVAL',
    'APPGW_NOTIFY_SILENCES',
    'APPGW_NOTIFY_INHIBIT',
    'APPGW_NOTIFY_RECOVER_AFTER',
  ];
  // A break trial: short words met names they barely resemble within 2 edits.
  const VERBS = ['demo', 'emulator', 'evaluate', 'run', 'recheck', 'notify', 'silence'];
  it.each<[string, readonly string[], string | undefined]>([
    ['rn', VERBS, 'run'],
    // A final break trial: two letters swapped, a short verb's commonest typo, is one edit.
    ['rnu', VERBS, 'run'],
    ['urn', VERBS, 'run'],
    ['dmeo', VERBS, 'demo'],
    ['lsit', ['list', 'resend', 'test'], 'list'],
    ['nofity', VERBS, 'notify'],
    ['silense', VERBS, 'silence'],
    ['up', VERBS, undefined],
    ['on', VERBS, undefined],
    ['rm', VERBS, undefined],
    ['lst', ['list', 'resend', 'test'], 'list'],
    ['get', ['list', 'resend', 'test'], undefined],
    ['end', ['add', 'list', 'expire'], undefined],
    ['url', ['targets', 'arm', 'sinks', 'notify'], undefined],
    ['rg', ['targets', 'arm', 'sinks', 'notify'], undefined],
    ['id', ['dir', 'blob', 'webhooks'], undefined],
    ['path', ['name', 'url', 'match'], undefined],
    ['conf', ['config', 'json', 'out'], 'config'], // a name it begins
    ['target', ['targets', 'arm'], 'targets'],
    // A third break trial: a name begun beats one edit away; a begun name shared by many is none.
    ['ren', ['render', 'run'], 'render'],
    ['stat', ['statusPage', 'state'], 'state'],
    ['groupInt', ['grouping', 'groupInterval'], 'groupInterval'],
    ['APPGW_', ['APPGW_TARGETS', 'APPGW_SCHEDULE'], undefined],
    ['APPGW_NOTIFY', ['APPGW_NOTIFY_FOR', 'APPGW_NOTIFY_GROUPING', 'APPGW_NOTIFY_INHIBIT'], undefined],
    // A later break trial: a prefix every setting shares counted toward the allowance; a rest changed
    // whole is no typo.
    ...[
      'APPGW_NOTIFY_WAIT',
      'APPGW_NOTIFY_GROUP',
      'APPGW_NOTIFY_TO',
      'APPGW_NOTIFY_TYPE',
      'APPGW_NOTIFY_ROUTES',
      'APPGW_NOTIFY_SEVERITY',
    ].map((typed) => [typed, NOTIFY_SETTINGS, undefined] as [string, readonly string[], string | undefined]),
    ['APPGW_NOTIFY_GROUPWAIT', NOTIFY_SETTINGS, 'APPGW_NOTIFY_GROUP_WAIT'],
    ['APPGW_NOTIFY_SILENSES', NOTIFY_SETTINGS, 'APPGW_NOTIFY_SILENCES'],
  ])('%s among %j → %s', (typed, known, meant) => {
    expect(nearestName(typed, known)).toBe(meant);
  });

  it.each([
    ['run', 'rnu', 1],
    ['ab', 'ba', 1],
    ['abc', 'ca', 3], // optimal string alignment: no edit of a swapped pair again
    ['kitten', 'sitting', 3],
  ])('editDistance(%s, %s) = %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  it('editDistance is a distance: zero only to itself, symmetric, within the longer length', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const d = editDistance(a, b);
        expect(d).toBe(editDistance(b, a));
        expect(d === 0).toBe(a === b);
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
      }),
    );
  });
});
