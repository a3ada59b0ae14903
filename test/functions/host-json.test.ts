import { readFileSync } from 'node:fs';
import path from 'node:path';

/** host.json settings the code relies on: the queue trigger's encoding and the poison convention. */
describe('host.json', () => {
  const host = JSON.parse(readFileSync(path.resolve(__dirname, '../../host.json'), 'utf8'));

  it('uses the v2 schema and an extension bundle with the queue extension (4.x)', () => {
    expect(host.version).toBe('2.0');
    expect(host.extensionBundle).toEqual({
      id: 'Microsoft.Azure.Functions.ExtensionBundle',
      version: '[4.*, 5.0.0)',
    });
  });

  it('decodes queue messages as base64 (what the timer sends) and poisons after 5 tries', () => {
    expect(host.extensions.queues.messageEncoding).toBe('base64');
    expect(host.extensions.queues.maxDequeueCount).toBe(5);
    // A retried gateway waits a little before its next try: throttling and 5xx need time to pass.
    expect(host.extensions.queues.visibilityTimeout).not.toBe('00:00:00');
  });

  it('never samples the telemetry records away, and lets them through at Information', () => {
    // The records are traces (README "Telemetry"); the alerts count them, so none may be sampled out.
    // excludedTypes: types never sampled (Dependency, Event, Exception, PageView, Request, Trace), from
    // learn.microsoft.com/azure/azure-functions/functions-host-json#applicationinsightssamplingsettings.
    const sampling = host.logging.applicationInsights.samplingSettings;
    const excluded = String(sampling.excludedTypes ?? '').split(';');
    expect(sampling.isEnabled === false || excluded.includes('Trace')).toBe(true);
    expect(excluded).toContain('Request');
    // User logs are category Function.<name>.User: the most specific level set for it must allow Information.
    const levels: Record<string, string> = host.logging.logLevel;
    for (const name of ['discoverGateways', 'evaluateGateway', 'recordPoisonedGateway']) {
      const category = `Function.${name}.User`;
      const key = Object.keys(levels)
        .filter((k) => k === 'default' || category === k || category.startsWith(`${k}.`))
        .sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.length - b.length))
        .at(-1);
      expect([category, levels[key ?? 'default']]).toEqual([
        category,
        expect.stringMatching(/^(Trace|Debug|Information)$/),
      ]);
    }
  });

  it('gives a run time for slow backend-health operations (minutes, not seconds)', () => {
    const [h, m] = String(host.functionTimeout).split(':').map(Number);
    expect((h ?? 0) * 60 + (m ?? 0)).toBeGreaterThanOrEqual(10);
  });
});
