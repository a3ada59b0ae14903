import {
  buildSlackMessage,
  buildSlackPayload,
  SLACK_LIMITS,
  slackText,
} from '../../../src/adapters/webhooks/slack/slack-payload';
import { causeFor } from '../../../src/core/causes';
import { hostileNotice, recoveredNotice, sampleNotice } from './support/notices';
import { schemaErrors, validateSlackMessage } from './support/validators';

type Json = Record<string, unknown>;

function blocks(message: Json): Json[] {
  return message['blocks'] as Json[];
}

function sectionTexts(message: Json): string[] {
  return blocks(message)
    .filter((b) => b['type'] === 'section' && b['text'])
    .map((b) => (b['text'] as Json)['text'] as string);
}

describe('slack format', () => {
  const notice = sampleNotice();
  const payload = buildSlackPayload(notice);
  const message = JSON.parse(payload.body) as Json;

  it('matches the Block Kit schema (fallback text + blocks)', () => {
    expect(schemaErrors(validateSlackMessage, message)).toEqual([]);
    expect(typeof message['text']).toBe('string');
    expect(blocks(message).map((b) => b['type'])).toEqual([
      'header',
      'section',
      'section',
      'section',
      'section',
      'context',
    ]);
    expect(payload.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('the schema rejects what Slack rejects (it can fail)', () => {
    const header = { type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } };
    expect(schemaErrors(validateSlackMessage, { ...message, blocks: [header] })).not.toEqual([]);
    const field = { type: 'mrkdwn', text: 'x' };
    const tooMany = { type: 'section', fields: Array.from({ length: 11 }, () => field) };
    expect(schemaErrors(validateSlackMessage, { ...message, blocks: [tooMany] })).not.toEqual([]);
    expect(
      schemaErrors(validateSlackMessage, {
        ...message,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '' } }],
      }),
    ).not.toEqual([]);
    expect(
      schemaErrors(validateSlackMessage, {
        ...message,
        blocks: [{ type: 'section', text: { type: 'markdown', text: 'x' } }],
      }),
    ).not.toEqual([]);
    expect(schemaErrors(validateSlackMessage, { ...message, attachments: [] })).not.toEqual([]);
  });

  it('shows gateway, pool, settings, server and health as fields', () => {
    const fields = (blocks(message)[1]?.['fields'] as Json[]).map((f) => f['text']);
    expect(fields).toEqual(
      expect.arrayContaining([
        '*Gateway*\nagw-prod',
        '*Backend pool*\npool-api',
        '*Backend settings*\nsettings-https',
        '*Server*\n10.0.1.4',
        '*Health*\nUnhealthy',
      ]),
    );
  });

  it('shows the probe log in a code block, the cause and its steps, and links the guide', () => {
    const texts = sectionTexts(message);
    expect(texts).toContain(`*Probe log*\n\`\`\`\n${notice.server.probeLog}\n\`\`\``);
    const cause = texts.find((t) => t.startsWith('*Cause:*'));
    expect(cause).toContain(slackText(notice.cause.title, 500));
    expect(cause?.split('\n').filter((l) => /^\d+\. /.test(l))).toHaveLength(notice.cause.steps.length);
    const context = blocks(message).at(-1)?.['elements'] as Json[];
    expect(context[0]?.['text']).toMatch(
      new RegExp(
        `^<${notice.cause.docUrl.replace(/[.?]/g, '\\$&')}\\|Troubleshooting guide> · notice appgw-0123456789abcdef`,
      ),
    );
  });

  it('escapes &, < and > in untrusted values, so no mention or link can be injected', () => {
    const hostile = buildSlackMessage(
      hostileNotice({
        name: '<!channel> & <@U123|boss>',
        address: '<https://evil.example|click me>',
        probeLog: '<script>alert(1)</script>',
      }),
    );
    const body = JSON.stringify(hostile);
    expect(body).toContain('&lt;!channel&gt; &amp; &lt;@U123|boss&gt;');
    expect(body).toContain('&lt;https://evil.example|click me&gt;');
    expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(body).not.toMatch(/<!channel>|<@U123|<https:\/\/evil|<script>/);
    expect(schemaErrors(validateSlackMessage, hostile)).toEqual([]);
  });

  it('escapes &, <, > as entities and nothing else that way: Slack decodes no other entity', () => {
    const text = 'backend\'s pool-a (b) #1 1. - \\ "q" :x:';
    expect(slackText(text, 500)).toBe(text);
    expect(slackText('a & b < c > d', 500)).toBe('a &amp; b &lt; c &gt; d');
  });

  const neutral = (ch: string) => `<!date^00000000^{_}|${ch}>`;
  it.each<[string, string, string]>([
    ['bold', '*x*', `${neutral('*')}x${neutral('*')}`],
    ['italic', 'pool_a_1 _it_', `pool${neutral('_')}a${neutral('_')}1 ${neutral('_')}it${neutral('_')}`],
    ['strike', '~y~', `${neutral('~')}y${neutral('~')}`],
    ['inline code', '`z`', `${neutral('`')}z${neutral('`')}`],
    ['code block', '```a```', `${neutral('`').repeat(3)}a${neutral('`').repeat(3)}`],
    ['a leading quote', '> quoted', '\u02c3 quoted'],
    ['a > inside the text stays an entity', 'a > b', 'a &gt; b'],
  ])('neutralises mrkdwn formatting in a value: %s', (_name, value, expected) => {
    expect(slackText(value, 500)).toBe(expected);
  });

  it('a value cannot end our bold label or format the card (fields, rows, sections, context)', () => {
    const hostile = buildSlackMessage(
      hostileNotice({ name: 'gw*_~`', address: '*10.0.0.9*', probeLog: '_x_ *y* ~z~ `w`' }),
    );
    const body = JSON.stringify(hostile);
    for (const raw of ['gw*', '*10.0.0.9*', '_x_', '*y*', '~z~', '`w`'])
      for (const text of sectionTexts(hostile).filter((t) => !t.includes('```')))
        expect(text).not.toContain(raw);
    expect(body).toContain(`${neutral('*')}10.0.0.9${neutral('*')}`);
    expect(schemaErrors(validateSlackMessage, hostile)).toEqual([]);
  });

  it('the probe log in its code block keeps its characters (no formatting there)', () => {
    const texts = sectionTexts(
      buildSlackMessage(hostileNotice({ name: 'n', address: 'a', probeLog: '_x_ *y* ~z~ `w`' })),
    );
    expect(texts.find((t) => t.startsWith('*Probe log*'))).toBe('*Probe log*\n```\n_x_ *y* ~z~ `w`\n```');
  });

  it('the header is plain_text, which Slack never formats: its characters as they are', () => {
    const header = blocks(
      buildSlackMessage(hostileNotice({ name: 'gw_*a*', address: 'a', probeLog: 'p' })),
    )[0];
    expect(((header?.['text'] as Json)['text'] as string).includes('gw_*a*')).toBe(true);
  });

  it('shows the insight summary as text: Slack does not read CommonMark', () => {
    const summary = sectionTexts(buildSlackMessage(notice)).find((t) => t.startsWith('*Summary*'));
    expect(summary).toBe(
      '*Summary*\nBackend server 10.0.1.4 in pool pool-api answers the health probe with HTTP 503.',
    );
  });

  it('a probe log cannot close its code fence', () => {
    const texts = sectionTexts(
      buildSlackMessage(hostileNotice({ name: 'n', address: 'a', probeLog: 'x```\n*bold* <!here>\n```y' })),
    );
    const log = texts.find((t) => t.startsWith('*Probe log*')) ?? '';
    expect(log.match(/```/g)).toHaveLength(2);
    expect(log.startsWith('*Probe log*\n```\n')).toBe(true);
    expect(log.endsWith('\n```')).toBe(true);
  });

  it('cuts 100 kB values to the limits, measured after escaping', () => {
    const big = '<&>'.repeat(40_000);
    const hostile = buildSlackMessage(hostileNotice({ name: big, address: big, probeLog: big, other: big }));
    expect(schemaErrors(validateSlackMessage, hostile)).toEqual([]);
    const header = (blocks(hostile)[0]?.['text'] as Json)['text'] as string;
    expect(header.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    expect(header.endsWith('…')).toBe(true);
    for (const text of sectionTexts(hostile))
      expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(sectionTexts(hostile).find((t) => t.startsWith('*Probe log*'))).toMatch(
      /(?:&lt;|&amp;|&gt;)…\n```$/,
    ); // whole entities only
    expect((hostile['text'] as string).length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  });

  it('recovered: says why it ended', () => {
    const recovered = buildSlackMessage(recoveredNotice());
    expect(schemaErrors(validateSlackMessage, recovered)).toEqual([]);
    expect(sectionTexts(recovered)).toContain('*Why it ended*\nhealthy again');
    expect(recovered['text']).toMatch(/^:white_check_mark: Backend server recovered: 10\.0\.1\.4/);
  });
});

describe('slack format: the probe log once', () => {
  it.each([
    ['other', 'Backend returned something odd: 42 widgets'],
    ['health-unknown', 'Unable to retrieve health status of the backend server'],
  ] as const)(
    'cause %s (its steps quote the log): the message shows the log once, in its section',
    (cause, probeLog) => {
      const notice = sampleNotice({
        server: { address: '10.0.1.4', health: 'Unknown', probeLog },
        cause: causeFor(cause, { probeLog }),
      });
      expect(notice.cause.steps.some((step) => step.includes(probeLog))).toBe(true);
      const texts = sectionTexts(buildSlackMessage(notice));
      expect(texts.filter((text) => text.includes(probeLog))).toHaveLength(1);
    },
  );
});
