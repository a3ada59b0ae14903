import { randomBytes } from 'node:crypto';
import { WEBHOOK_FORMATS, webhookReceiverSchema } from '../../../src/adapters/webhooks/registry';
import { resolveWebhookConfig, resolveWebhookConfigs } from '../../../src/adapters/webhooks/resolve-config';
import { WEBHOOK_FORMAT_NAMES } from '../../../src/adapters/webhooks/webhook-format';
import { ConfigError } from '../../../src/errors';
import { sampleNotice } from './support/notices';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const SLACK_URL = 'https://hooks.slack.com/services/t0001/b0002/SlackTokenXyz';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('registry', () => {
  it('lists every format once, each with a config schema and a payload builder', () => {
    expect(Object.keys(WEBHOOK_FORMATS).sort()).toEqual([...WEBHOOK_FORMAT_NAMES].sort());
    for (const format of WEBHOOK_FORMAT_NAMES) {
      const entry = WEBHOOK_FORMATS[format];
      // PagerDuty's receivers carry their routing key; the others take nothing beyond name, url, format.
      const own = format === 'pagerduty' ? { routingKey: 'R'.repeat(32) } : {};
      expect(
        entry.configSchema.safeParse({ name: 'x', url: 'https://example.com/h', format, ...own }).success,
      ).toBe(true);
      expect(
        entry.configSchema.safeParse({ name: 'x', url: 'https://example.com/h', format: 'other' }).success,
      ).toBe(false);
      const payload = entry.buildPayload(sampleNotice(), {
        name: 'x',
        format,
        url: 'https://example.com/h',
        timeoutInMs: 10_000,
        maxAttempts: 5,
        routingKey: 'R'.repeat(32),
      });
      expect(() => JSON.parse(payload.body) as unknown).not.toThrow();
      expect(payload.headers['content-type']).toMatch(/json/);
    }
  });
});

describe('resolveWebhookConfig', () => {
  it('applies the defaults (10 s time-out, 5 attempts, recovered notices sent)', () => {
    const config = resolveWebhookConfig({ name: 'ops', url: SLACK_URL, format: 'slack' }, {});
    expect(config).toEqual({
      name: 'ops',
      format: 'slack',
      url: SLACK_URL,
      timeoutInMs: 10_000,
      maxAttempts: 5,
      sendResolved: true,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('resolves url and secret from the env argument (not process.env)', () => {
    const env = { OPS_WEBHOOK_URL: ' https://example.com/hook?sig=abc ', OPS_WEBHOOK_SECRET: SECRET };
    expect(process.env['OPS_WEBHOOK_URL']).toBeUndefined();
    const config = resolveWebhookConfig(
      {
        name: 'ops',
        url: { fromEnv: 'OPS_WEBHOOK_URL' },
        format: 'json',
        secret: { fromEnv: 'OPS_WEBHOOK_SECRET' },
        maxAttempts: 3,
      },
      env,
    );
    expect(config).toEqual({
      name: 'ops',
      format: 'json',
      url: 'https://example.com/hook?sig=abc',
      secret: SECRET,
      timeoutInMs: 10_000,
      maxAttempts: 3,
      sendResolved: true,
    });
  });

  it.each(['slack', 'teams', 'json', 'cloudevents', 'pagerduty'])(
    '%s: sendResolved false is kept; a value that is not a boolean is refused, naming the key',
    (format) => {
      const url = format === 'slack' ? SLACK_URL : 'https://example.com/hook';
      const own = format === 'pagerduty' ? { routingKey: 'R'.repeat(32) } : {};
      const raw = { name: 'ops', url, format, ...own };
      expect(resolveWebhookConfig({ ...raw, sendResolved: false }, {})).toMatchObject({
        sendResolved: false,
      });
      const error = configError(() => resolveWebhookConfig({ ...raw, sendResolved: 'no' }, {}));
      expect(error.issues).toEqual(['webhook.sendResolved: must be true or false']);
    },
  );

  it('names a missing variable, and never prints a value', () => {
    const error = configError(() =>
      resolveWebhookConfig(
        {
          name: 'ops',
          url: { fromEnv: 'OPS_WEBHOOK_URL' },
          format: 'json',
          secret: { fromEnv: 'OPS_SECRET' },
        },
        { OPS_SECRET: 'not-a-whsec-value-s3cr3t', OTHER: SLACK_URL },
      ),
    );
    expect(error.issues).toEqual([
      'webhook.url: environment variable / app setting "OPS_WEBHOOK_URL" is not set (or empty)',
      'webhook.secret (from "OPS_SECRET"): must start with "whsec_" followed by base64',
    ]);
    expect(error.message).not.toMatch(/s3cr3t|SlackToken/);
  });

  it('refuses plain http:// to a non-loopback host, without quoting the URL', () => {
    const error = configError(() =>
      resolveWebhookConfig(
        { name: 'ops', url: { fromEnv: 'U' }, format: 'teams' },
        { U: 'http://prod.example.com/workflows/TOKEN123' },
      ),
    );
    expect(error.message).toMatch(/webhook\.url \(from "U"\): must use https:\/\/ .*loopback/);
    expect(error.message).not.toMatch(/TOKEN123|prod\.example\.com/);
    expect(
      resolveWebhookConfig({ name: 'local', url: 'http://127.0.0.1:8080/hook', format: 'json' }, {}).url,
    ).toBe('http://127.0.0.1:8080/hook');
  });

  it('refuses a secret on a format that does not sign', () => {
    const error = configError(() =>
      resolveWebhookConfig({ name: 'ops', url: SLACK_URL, format: 'slack', secret: SECRET }, {}),
    );
    expect(error.issues).toEqual([
      'webhook.secret: "secret" is only used by format "json" (Standard Webhooks signature); remove it',
    ]);
    expect(error.message).not.toContain(SECRET.slice(6));
  });

  it('refuses secrets that are not 24-64 bytes of base64, without quoting them', () => {
    const short = `whsec_${Buffer.from('tiny-secret').toString('base64')}`;
    const error = configError(() =>
      resolveWebhookConfig({ name: 'ops', url: SLACK_URL, format: 'json', secret: short }, {}),
    );
    expect(error.issues).toEqual([
      'webhook.secret: must decode to 24-64 bytes (it has 11); e.g. "whsec_" + 32 random bytes in base64',
    ]);
  });

  it('lists the formats for an unknown one, and rejects unknown keys and bad values', () => {
    expect(
      configError(() => resolveWebhookConfig({ name: 'ops', url: SLACK_URL, format: 'discord' }, {})).issues,
    ).toEqual([
      'webhook.format: "format" must be one of "json", "teams", "slack", "cloudevents", "pagerduty"',
    ]);
    const issues = configError(() =>
      resolveWebhookConfig(
        { name: 'has space', url: { fromEnv: '1BAD' }, format: 'teams', retries: 3, maxAttempts: 0 },
        {},
      ),
    ).issues;
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^webhook\.name: must be 1-64 letters/),
        expect.stringMatching(/^webhook\.url/),
        expect.stringMatching(/^webhook\.maxAttempts: /),
        expect.stringMatching(/^webhook: unknown key "retries": the keys here are name, url/),
      ]),
    );
  });

  it('resolves a list: every problem of every entry at once, and unique names', () => {
    const error = configError(() =>
      resolveWebhookConfigs(
        [
          { name: 'ops', url: SLACK_URL, format: 'slack' },
          { name: 'ops', url: 'https://example.com/h', format: 'json' },
          { name: 'team', url: { fromEnv: 'TEAMS_URL' }, format: 'teams' },
        ],
        {},
      ),
    );
    expect(error.issues).toEqual([
      'sinks.webhooks[1].name: "ops" is used by another receiver; names must be unique',
      'sinks.webhooks[2].url: environment variable / app setting "TEAMS_URL" is not set (or empty)',
    ]);
    const ok = resolveWebhookConfigs([{ name: 'a', url: SLACK_URL, format: 'slack' }], {});
    expect(ok.map((c) => c.name)).toEqual(['a']);
  });

  it('exports the raw schema for the app config', () => {
    expect(
      webhookReceiverSchema.safeParse({ name: 'ops', url: { fromEnv: 'X' }, format: 'cloudevents' }).success,
    ).toBe(true);
  });
});

/**
 * Every problem of one entry at once (issue 15 trial: a missing "format" hid the http:// URL and the
 * secret without "whsec_", which came only once the format was added).
 */
describe('one webhook entry: all its problems at once, whatever the schema refused', () => {
  const issuesOf = (raw: unknown, env: Record<string, string> = {}): string[] => {
    try {
      resolveWebhookConfigs([raw], env);
    } catch (error) {
      return [...(error as ConfigError).issues];
    }
    return [];
  };

  it.each([
    ['format missing', { name: 'a', url: 'http://example.com', secret: 'bad' }, ['format', 'url', 'secret']],
    [
      'format unknown',
      { name: 'a', format: 'xml', url: 'http://example.com', secret: 'bad' },
      ['format', 'url', 'secret'],
    ],
    [
      'json with a bad timeout',
      { name: 'a', format: 'json', url: 'http://example.com', secret: 'bad', timeoutInMs: 1 },
      ['timeoutInMs', 'url', 'secret'],
    ],
    [
      'pagerduty with an unknown field',
      { name: 'a', format: 'pagerduty', url: 'ftp://x', routingKey: 'short', extra: 1 },
      ['(root)|extra|Unrecognized', 'url', 'routingKey'],
    ],
    [
      'a url from an unset setting, name missing',
      { format: 'teams', url: { fromEnv: 'NOPE' } },
      ['name', 'url'],
    ],
  ])('%s', (_, raw, fields) => {
    const issues = issuesOf(raw);
    for (const field of fields)
      expect(issues.some((i) => new RegExp(`sinks\\.webhooks\\[0\\]\\.?(${field})|${field}`).test(i))).toBe(
        true,
      );
    expect(issues.length).toBeGreaterThanOrEqual(fields.length);
  });

  it("a url the schema refused is not checked again (said once); a secret of teams is the schema's alone", () => {
    const issues = issuesOf({ name: 'a', format: 'teams', url: 42, secret: 'bad' });
    expect(issues.filter((i) => i.includes('.url'))).toHaveLength(1);
    expect(issues.filter((i) => i.includes('.secret'))).toHaveLength(1);
    expect(issues.join('\n')).not.toContain('whsec_" followed');
  });
});
