import fc from 'fast-check';
import { gatewayResultToWrite, resultTellsTheGateway } from '../../src/core/kept-gateway-result';
import type { GatewayReport, ReportedError } from '../../src/core/run-report';
import { PoisonedMessageError, GatewayDeletedError } from '../../src/errors';
import { reportedError } from '../../src/core/reported-error';

const GW = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw';

function result(error: ReportedError | null, extra: Partial<GatewayReport> = {}): GatewayReport {
  return {
    id: GW,
    name: 'gw',
    subscriptionId: 's',
    resourceGroup: 'rg',
    ok: error === null,
    error,
    durationInMs: 10,
    servers: error === null ? 3 : 0,
    findings: [],
    ...extra,
  };
}
const failed = (code: string, message = `${code} happened`): ReportedError => ({
  code,
  message,
  retryable: true,
});
const read = result(null, { fanOut: { invocations: 2, polls: 1, handlerActiveInMs: 40 } });
const incomplete = result(null, { ok: false, poolsNotRead: ['pool-b'] });
const throttled = result(failed('Throttled', 'ARM throttled the subscription (429)'), {
  fanOut: { invocations: 5, polls: 0, handlerActiveInMs: 90 },
});
const unavailable = result(failed('BackendHealthUnavailable'));
const deleted = result(reportedError(new GatewayDeletedError(GW)));
const poisoned = result(reportedError(new PoisonedMessageError(GW)));

describe('resultTellsTheGateway', () => {
  test.each([
    ['read, ok', true, read],
    ['read, with pools not read', true, incomplete],
    ['deletion ARM confirmed', true, deleted],
    ['throttled', false, throttled],
    ['unavailable', false, unavailable],
    ['the poison record', false, poisoned],
  ])('%s → %s', (_name, tells, r) => {
    expect(resultTellsTheGateway(r)).toBe(tells);
  });
});

describe('gatewayResultToWrite: a result of a run over another try’s of the same run', () => {
  test.each([
    // [name, incoming, existing, expected: 'incoming' | 'keep']
    ['nothing there: written', unavailable, undefined, 'incoming'],
    ['a reading over a failure: written (a retry that read it)', read, throttled, 'incoming'],
    ['a reading over a reading: the newest written', incomplete, read, 'incoming'],
    ['a confirmed deletion over a reading: written (newer news of it)', deleted, read, 'incoming'],
    ['a failure over a reading: kept (a duplicate copy that failed)', throttled, read, 'keep'],
    ['a failure over an incomplete reading: kept', unavailable, incomplete, 'keep'],
    ['a failure over a confirmed deletion: kept', unavailable, deleted, 'keep'],
    ['the poison record over a reading: kept', poisoned, read, 'keep'],
    ['a failure over a failure: the newest written', unavailable, throttled, 'incoming'],
    // The poison message tried again (a sink failed): the stored record may carry the try's error.
    ['the poison record over the poison record: kept', poisoned, poisoned, 'keep'],
    // A late copy of the message failing after the poison record (a break trial).
    ['a failure over the poison record: kept', throttled, poisoned, 'keep'],
    ['a reading over the poison record: written', read, poisoned, 'incoming'],
    ['the poison record with nothing there: written as is', poisoned, undefined, 'incoming'],
    [
      'another gateway’s result (not this one’s file): written',
      throttled,
      { ...read, id: `${GW}-2` },
      'incoming',
    ],
  ] as const)('%s', (_name, incoming, existing, expected) => {
    const written = gatewayResultToWrite(incoming, existing);
    if (expected === 'keep') expect(written).toBeUndefined();
    else expect(written).toBe(incoming);
  });

  test('the poison record tried again over its merged record: the try’s error is kept', () => {
    const merged = gatewayResultToWrite(poisoned, throttled) as GatewayReport;
    expect(gatewayResultToWrite(poisoned, merged)).toBeUndefined();
  });

  test('the poison record over a try’s failure: the try’s fields kept, both errors said, code Poisoned', () => {
    const written = gatewayResultToWrite(poisoned, throttled);
    expect(written).toEqual({
      ...throttled,
      ok: false,
      error: {
        code: 'Poisoned',
        retryable: false,
        message: expect.stringContaining('its message was moved to the poison queue') as unknown as string,
      },
    });
    expect(written?.error?.message).toMatch(
      /Its last recorded try failed with Throttled: ARM throttled the subscription \(429\)$/,
    );
    expect(written?.fanOut).toEqual(throttled.fanOut);
  });

  const errors = fc.oneof(
    fc.constant(null),
    fc
      .constantFrom(
        'Throttled',
        'BackendHealthUnavailable',
        'GatewayDeleted',
        'Poisoned',
        'MissingPermission',
      )
      .map((code) => failed(code)),
  );
  const results = errors.map((error) => result(error));

  test('property: a result that tells the gateway is never replaced by one that does not', () => {
    fc.assert(
      fc.property(results, results, (incoming, existing) => {
        const written = gatewayResultToWrite(incoming, existing);
        if (resultTellsTheGateway(existing) && !resultTellsTheGateway(incoming))
          expect(written).toBeUndefined();
        if (resultTellsTheGateway(incoming)) expect(written).toBe(incoming);
      }),
    );
  });

  test('property: whatever is written keeps the incoming error code, and tells the gateway only if the incoming does', () => {
    fc.assert(
      fc.property(results, fc.option(results, { nil: undefined }), (incoming, existing) => {
        const written = gatewayResultToWrite(incoming, existing);
        if (written === undefined) return;
        expect(written.error?.code ?? null).toBe(incoming.error?.code ?? null);
        expect(resultTellsTheGateway(written)).toBe(resultTellsTheGateway(incoming));
      }),
    );
  });
});
