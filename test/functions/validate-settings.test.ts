import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateAppSettings } from '../../functions/validate-settings';
import { ConfigError } from '../../src/errors';

describe('app settings validated at start-up', () => {
  const example = JSON.parse(
    readFileSync(path.resolve(__dirname, '../../local.settings.json.example'), 'utf8'),
  ).Values;

  it('accepts local.settings.json.example (Azurite storage, every APPGW_* setting)', () => {
    expect(() =>
      validateAppSettings({
        ...example,
        OPS_WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
      }),
    ).not.toThrow();
  });

  it.each([
    [{ APPGW_TARGETS: '' }, /APPGW_TARGETS/],
    [{ APPGW_CONCURRENCY: 'lots' }, /APPGW_CONCURRENCY/],
    [{ APPGW_NOTIFY_REPEAT_INTERVAL: 'often' }, /APPGW_NOTIFY_REPEAT_INTERVAL/],
    [{ APPGW_WEBHOOKS: '[{"name":"ops"' }, /APPGW_WEBHOOKS: not valid JSON/],
    [{ APPGW_QUEUE_NAME: 'No_Such' }, /APPGW_QUEUE_NAME/],
    [{ APPGW_SCHEDULE: 'hourly' }, /APPGW_SCHEDULE/],
  ])('%j fails with an error naming the setting', (override, message) => {
    let error: unknown;
    try {
      validateAppSettings({
        ...example,
        OPS_WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
        ...override,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it('never echoes a webhook URL from a broken APPGW_WEBHOOKS', () => {
    const secretUrl = 'https://hooks.example.invalid/services/T000/B000/XXXXSECRET';
    expect(() => validateAppSettings({ ...example, APPGW_WEBHOOKS: `[{"url":"${secretUrl}"` })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('XXXXSECRET') }),
    );
  });
});
