import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateAppSettings } from '../../functions/validate-settings';
import { ConfigError } from '../../src/errors';

describe('app settings validated at start-up', () => {
  const example = JSON.parse(
    readFileSync(path.resolve(__dirname, '../../local.settings.json.example'), 'utf8'),
  ).Values;

  it('accepts local.settings.json.example as it is (Azurite storage, every APPGW_* setting, its webhook)', () => {
    // Through the app's own reading, the webhook's { "fromEnv" } secret included (issue 15: it failed).
    expect(() => validateAppSettings(example)).not.toThrow();
  });

  it('reports every bad setting at once, in one ConfigError (not one round per kind)', () => {
    let error: unknown;
    try {
      validateAppSettings({
        ...example,
        APPGW_SCHEDULE: '99 99 99 99 99 99',
        APPGW_ARM_CA_CERT_FILE: '/nonexistent/ca.pem',
        APPGW_STORAGE_CONNECTION: 'NoSuchConnection',
        APPGW_DISCOVERY_NAMES: 'not ok',
        OPS_WEBHOOK_SECRET: 'whsec_short',
        APPGW_CONCURRENCY: 'lots',
        APPGW_QUEUE_NAME: 'No_Such',
        APPGW_TARGET: '/subscriptions/x',
        AzureWebJobsStorage: 'not a connection string',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.join('\n');
    for (const expected of [
      /^APPGW_SCHEDULE: .*day-of-week/m,
      /^APPGW_ARM_CA_CERT_FILE: \/nonexistent\/ca\.pem: /m,
      /NoSuchConnection: not set/,
      /^APPGW_DISCOVERY_NAMES\[0\]: /m,
      /^APPGW_WEBHOOKS\[0\]\.secret \(from "OPS_WEBHOOK_SECRET"\): must/m,
      /^APPGW_CONCURRENCY: "lots"/m,
      /^APPGW_QUEUE_NAME: "No_Such"/m,
      /^APPGW_TARGET: not a setting of this app; did you mean APPGW_TARGETS\?/m,
      /AzureWebJobsStorage: is not a usable storage connection string/,
    ])
      expect(issues).toMatch(expected);
    expect(issues).not.toContain('whsec_short');
  });

  it('APPGW_RUN_DEADLINE_MS is refused: only `run` reads it', () => {
    expect(() => validateAppSettings({ ...example, APPGW_RUN_DEADLINE_MS: '600000' })).toThrow(
      /APPGW_RUN_DEADLINE_MS: only `run` reads it/,
    );
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
      validateAppSettings({ ...example, ...override });
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
