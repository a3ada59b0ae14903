import { causeFor } from '../../src/core/causes';

describe("causeFor('other')", () => {
  // A new-user trial: a Partial server with no probe message read "If the gateway gave a message,
  // compare it…" first, as if there were one to find.
  it('without a message: says the gateway gives none, and no step asks to compare one', () => {
    const cause = causeFor('other');
    expect(cause.title).toBe('The server is not healthy and the gateway gives no reason');
    expect(cause.steps.join('\n')).not.toContain('If the gateway gave a message');
    expect(cause.steps[0]).toMatch(/^Check the server directly/);
  });

  it('with a message: quotes it, then asks to compare it with the guide', () => {
    const cause = causeFor('other', { probeLog: 'Something odd happened' });
    expect(cause.title).toBe('The gateway reports a probe message we do not recognise');
    expect(cause.steps.join('\n')).toContain('Something odd happened');
    expect(cause.steps.some((s) => s.startsWith('If the gateway gave a message'))).toBe(true);
  });
});
