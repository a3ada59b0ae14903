import MarkdownIt from 'markdown-it';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  buildTeamsCard,
  buildTeamsPayload,
  TEAMS_MAX_BODY_BYTES,
  teamsMarkdownText,
} from '../../../src/adapters/webhooks/teams/teams-payload';
import { causeFor } from '../../../src/core/causes';
import { hostileNotice, recoveredNotice, sampleNotice } from './support/notices';
import { adaptiveCardProblems, adaptiveCardRoundTrip } from './support/validators';

type Json = Record<string, unknown>;

function cardOf(body: string): Json {
  const message = JSON.parse(body) as { attachments: { content: Json }[] };
  const card = message.attachments[0]?.content;
  if (!card) throw new Error('no card');
  return card;
}

function elements(card: Json): Json[] {
  const out: Json[] = [];
  const walk = (items: unknown): void => {
    for (const item of (items as Json[] | undefined) ?? []) {
      out.push(item);
      walk(item['items']);
    }
  };
  walk(card['body']);
  return out;
}

function runs(card: Json): Json[] {
  return elements(card)
    .filter((e) => e['type'] === 'RichTextBlock')
    .flatMap((e) => e['inlines'] as Json[]);
}

describe('teams format', () => {
  const notice = sampleNotice();
  const payload = buildTeamsPayload(notice);
  const card = cardOf(payload.body);

  it('is the Workflows envelope: a message with one Adaptive Card attachment and contentUrl null', () => {
    const message = JSON.parse(payload.body) as Json;
    expect(Object.keys(message).sort()).toEqual(['attachments', 'type']);
    expect(message['type']).toBe('message');
    expect(message['attachments']).toEqual([
      { contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: card },
    ]);
    expect(payload.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('is an Adaptive Card 1.4 with $schema, and the SDK finds no problem in it', () => {
    expect(card).toMatchObject({
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.4',
    });
    expect(adaptiveCardProblems(card)).toEqual([]);
  });

  it('the validator does report a broken card (it can fail)', () => {
    const broken = {
      ...card,
      body: [...(card['body'] as Json[]), { type: 'Blink', text: 'x' }],
      actions: [{ type: 'Action.OpenUrl', title: 'no url' }],
    };
    const problems = adaptiveCardProblems(broken);
    expect(problems.some((p) => /UnknownElementType/.test(p))).toBe(true);
    expect(problems.some((p) => /PropertyCantBeNull.*url/.test(p))).toBe(true);
  });

  it('has a FactSet of severity, gateway, pool, settings, server and health', () => {
    const factSet = elements(card).find((e) => e['type'] === 'FactSet');
    expect(factSet?.['facts']).toEqual([
      { title: 'Severity', value: 'critical' },
      { title: 'Gateway', value: 'agw-prod' },
      { title: 'Resource group', value: 'rg-web' },
      { title: 'Subscription', value: '00000000-0000-0000-0000-000000000001' },
      { title: 'Backend pool', value: 'pool-api' },
      { title: 'Backend settings', value: 'settings-https' },
      { title: 'Server', value: '10.0.1.4' },
      { title: 'Health', value: 'Unhealthy' },
      { title: 'Degraded since', value: '2026-03-01T10:00:00.000Z' },
    ]);
  });

  it('shows the probe log in monospace, the cause title and every step', () => {
    const texts = runs(card);
    expect(texts).toContainEqual({ type: 'TextRun', text: notice.server.probeLog, fontType: 'Monospace' });
    expect(texts).toContainEqual({ type: 'TextRun', text: notice.cause.title, weight: 'Bolder' });
    notice.cause.steps.forEach((step, i) => {
      expect(
        texts.some(
          (r) => typeof r['text'] === 'string' && r['text'].startsWith(`${i + 1}. ${step.slice(0, 40)}`),
        ),
      ).toBe(true);
    });
  });

  it("links the cause's guide with Action.OpenUrl, which the SDK keeps", () => {
    expect(card['actions']).toEqual([
      { type: 'Action.OpenUrl', title: 'Open the troubleshooting guide', url: notice.cause.docUrl },
    ]);
    const understood = adaptiveCardRoundTrip(card);
    expect(understood['actions']).toEqual(card['actions']);
    expect(JSON.stringify(understood)).toContain('"FactSet"');
  });

  it('recovered: green, with the reason', () => {
    const recovered = cardOf(buildTeamsPayload(recoveredNotice()).body);
    expect(adaptiveCardProblems(recovered)).toEqual([]);
    const container = (recovered['body'] as Json[])[0];
    expect(container).toMatchObject({ type: 'Container', style: 'good' });
    expect(runs(recovered)).toContainEqual({ type: 'TextRun', text: 'healthy again' });
  });

  it('escapes markdown in FactSet values (Teams renders markdown there), on one line', () => {
    expect(teamsMarkdownText('[click](https://evil.example) **x**', 100)).toBe(
      '\\[click](https://evil.example) \\*\\*x\\*\\*',
    );
    expect(teamsMarkdownText('- item\n1. two', 100)).toBe('\\- item 1. two');
    expect(teamsMarkdownText('1. first', 100)).toBe('1\\. first');
    expect(teamsMarkdownText('_x_ and *y*', 100)).toBe('\\_x\\_ and \\*y\\*');
    expect(teamsMarkdownText('', 100)).toBe('—');
    expect(teamsMarkdownText('a_b'.repeat(100), 50).length).toBeLessThanOrEqual(50);
  });

  it.each([
    ['pool_api_01'],
    ['rg-web (prod)'],
    ['10.0.1.4'],
    ['backend-01.contoso.com'],
    ["Customer's gateway #2"],
    ['2026-03-01T10:00:00.000Z'],
    ['Unhealthy'],
    ['a < b & c > d'],
  ])('keeps %j as it is in a FactSet value: nothing in it means anything to markdown', (value) => {
    expect(teamsMarkdownText(value, 256)).toBe(value);
  });

  it('cuts before escaping, so no escape is split and the limit holds', () => {
    for (const max of [8, 9, 10, 11, 20]) {
      const out = teamsMarkdownText('*'.repeat(40), max);
      expect(out.length).toBeLessThanOrEqual(max);
      expect(out.endsWith('…')).toBe(true);
      expect(out.replace(/\\\*/g, '')).toBe('…');
    }
  });

  it('shows the insight summary as text, not markdown', () => {
    const summary = runs(card).find(
      (r) => typeof r['text'] === 'string' && r['text'].startsWith('Backend server'),
    );
    expect(summary?.['text']).toBe(
      'Backend server 10.0.1.4 in pool pool-api answers the health probe with HTTP 503.',
    );
  });

  it('shrinks every excerpt until the card fits, when even the first cut is too big', () => {
    const wide = '漢'.repeat(50_000); // 3 bytes of UTF-8 per UTF-16 unit
    const base = hostileNotice({ name: wide, address: wide, probeLog: wide, other: wide });
    const notice = { ...base, cause: { ...base.cause, steps: Array.from({ length: 12 }, () => wide) } };
    const body = buildTeamsPayload(notice).body;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(TEAMS_MAX_BODY_BYTES);
    const card = cardOf(body);
    expect(adaptiveCardProblems(card)).toEqual([]);
    const log = runs(card).find((r) => r['fontType'] === 'Monospace')?.['text'] as string;
    expect(log.length).toBeLessThan(3_000); // cut below the first-try excerpt of 3000
    expect(log.endsWith('…')).toBe(true);
  });

  it('stays under the Teams size limit with 100 kB values, and still validates', () => {
    const big = '<script>alert(1)</script>'.repeat(4_000);
    const hostile = buildTeamsPayload(hostileNotice({ name: big, address: big, probeLog: big, other: big }));
    expect(Buffer.byteLength(hostile.body)).toBeLessThanOrEqual(TEAMS_MAX_BODY_BYTES);
    expect(adaptiveCardProblems(cardOf(hostile.body))).toEqual([]);
  });
});

describe('teams format: the probe log once', () => {
  it.each([
    ['other', 'Backend returned something odd: 42 widgets'],
    ['health-unknown', 'Unable to retrieve health status of the backend server'],
  ] as const)(
    'cause %s (its steps quote the log): the card shows the log once, in its section',
    (cause, probeLog) => {
      const notice = sampleNotice({
        server: { address: '10.0.1.4', health: 'Unknown', probeLog },
        cause: causeFor(cause, { probeLog }),
      });
      expect(notice.cause.steps.some((step) => step.includes(probeLog))).toBe(true);
      const texts = runs(cardOf(buildTeamsPayload(notice).body)).map((r) => String(r['text']));
      expect(texts.filter((text) => text.includes(probeLog))).toHaveLength(1);
    },
  );
});

describe('teams: a heading that quotes a value from the network is escaped (TextBlock text is markdown)', () => {
  it("a recovered's 'Was: <health>' heading: a hostile health value shows as its text", () => {
    const base = recoveredNotice();
    const notice = {
      ...base,
      server: {
        ...base.server,
        was: { health: '*Down* [x](https://evil.example) _y_', probeLog: 'TCP connect error' },
      },
    };
    const card = buildTeamsCard(notice) as { body: Array<Record<string, unknown>> };
    const heading = card.body.find(
      (e) => e['type'] === 'TextBlock' && String(e['text']).startsWith('Was:'),
    )?.['text'] as string;
    expect(heading).toBeDefined();
    const html = new MarkdownIt().render(heading);
    expect(html).not.toMatch(/<(em|strong|a)\b/);
    expect(html).toContain('*Down* [x](https://evil.example) _y_');
  });
});
