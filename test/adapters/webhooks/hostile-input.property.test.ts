import fc from 'fast-check';
import { WEBHOOK_FORMATS } from '../../../src/adapters/webhooks/registry';
import MarkdownIt from 'markdown-it';
import { TEAMS_MAX_BODY_BYTES } from '../../../src/adapters/webhooks/teams/teams-payload';
import { noticeFacts, singleLine } from '../../../src/adapters/webhooks/text';
import { PAGERDUTY_LIMITS } from '../../../src/adapters/webhooks/pagerduty/pagerduty-payload';
import {
  WEBHOOK_FORMAT_NAMES,
  type ResolvedWebhookConfig,
} from '../../../src/adapters/webhooks/webhook-format';
import { hostileNotice } from './support/notices';
import {
  adaptiveCardProblems,
  schemaErrors,
  validateCloudEvent,
  validateEventV1,
  validateSlackMessage,
} from './support/validators';

/** The receiver each format builds for (only PagerDuty's body carries a setting: its routing key). */
const RECEIVER: ResolvedWebhookConfig = {
  name: 'ops',
  format: 'pagerduty',
  url: 'https://events.pagerduty.com/v2/enqueue',
  timeoutInMs: 10_000,
  maxAttempts: 5,
  routingKey: 'R0123456789abcdef0123456789abcd',
};

/** Probe logs, addresses and names may contain anything: markup of every medium, controls, huge strings. */
const nasty = fc.constantFrom(
  '<script>alert(1)</script>',
  '*bold* _it_ ~strike~ `code`',
  '<!channel>',
  '<!here|here>',
  '<@U12345|boss>',
  '<https://evil.example|click me>',
  '[click](https://evil.example)',
  '```',
  '&amp;&lt;&gt;',
  '\u202e\u2066rtl',
  '\ud800',
  'x\udc00',
  '\u0000\u001b[31m\u007f\u0085',
  '\r\n- item\n1. two\n# heading\n> quote',
  '{{DATE(2017-02-14T06:08:39Z, SHORT)}}',
  '"}]}\\u0000\\',
  '👩‍👩‍👧‍👦🏳️‍🌈',
);
const piece = fc.oneof(
  nasty,
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);
const hostile = fc.oneof(
  { weight: 5, arbitrary: fc.array(piece, { maxLength: 8 }).map((pieces) => pieces.join('')) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(piece, fc.integer({ min: 3_000, max: 100_000 }))
      .map(([p, size]) => (p || '<&>').repeat(Math.ceil(size / Math.max(1, (p || '<&>').length)))),
  },
);
const hostileInput = fc.record({ name: hostile, address: hostile, probeLog: hostile, other: hostile });

type Json = Record<string, unknown>;

/** markdown-it as the Adaptive Cards SDK uses it when a page provides it (`markdownit().render(text)`). */
const sdkMarkdown = new MarkdownIt();
const htmlText = (html: string): string =>
  html
    .replace(/<[^>]*>/g, '')
    .replace(/&(lt|gt|quot|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', amp: '&' })[e] ?? '')
    .split('\u200b')
    .join('');

/** Every `text` string in a Slack message: the fallback and each text object's. */
function slackTexts(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => slackTexts(v, out));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'text' && typeof v === 'string') out.push(v);
      else slackTexts(v, out);
    }
  }
  return out;
}

/** Our neutralised formatting character: a date token whose fallback (the character) Slack shows as is. */
const NEUTRAL = /<!date\^00000000\^\{_\}\|[*_~`]>/g;

/** What a Slack reader sees of an escaped value: each fallback's character, entities decoded. */
const slackShown = (text: string): string =>
  text
    .replace(NEUTRAL, (token) => token.slice(-2, -1))
    .replace(/&(lt|gt|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', amp: '&' })[e] ?? '');

function facts(card: Json): string[] {
  return (card['body'] as Json[])
    .filter((e) => e['type'] === 'FactSet')
    .flatMap((e) => (e['facts'] as Json[]).map((f) => f['value'] as string));
}

describe('hostile values in probe logs, addresses and names (property)', () => {
  it('every format still gives valid JSON within its medium’s rules', () => {
    fc.assert(
      fc.property(hostileInput, (input) => {
        const notice = hostileNotice(input);
        const bodies = Object.fromEntries(
          WEBHOOK_FORMAT_NAMES.map((format) => [
            format,
            JSON.parse(WEBHOOK_FORMATS[format].buildPayload(notice, RECEIVER).body) as Json,
          ]),
        );

        // json and cloudevents: schema-valid, untrusted text carried (cut, never escaped)
        expect(schemaErrors(validateEventV1, bodies['json'])).toEqual([]);
        expect(schemaErrors(validateCloudEvent, bodies['cloudevents'])).toEqual([]);
        expect(schemaErrors(validateEventV1, bodies['cloudevents']?.['data'])).toEqual([]);

        // pagerduty: within the Events API v2's limits (summary 1024 characters on one line, dedup_key
        // 255, the event 512 KB), every required field non-empty
        const pagerduty = bodies['pagerduty'] as { dedup_key: string; payload: Record<string, string> };
        const pdBody = WEBHOOK_FORMATS.pagerduty.buildPayload(notice, RECEIVER).body;
        expect(Buffer.byteLength(pdBody)).toBeLessThanOrEqual(PAGERDUTY_LIMITS.eventBytes);
        expect(pagerduty.dedup_key.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.dedupKey);
        expect(pagerduty.payload['summary']!.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.summary);
        expect(pagerduty.payload['summary']).not.toMatch(/[\n\r]/);
        for (const field of ['summary', 'source', 'severity'] as const)
          expect(pagerduty.payload[field]).toMatch(/\S/);

        // slack: limits hold (schema), and no raw < or > from the input survives in any text
        const slack = bodies['slack']!;
        expect(schemaErrors(validateSlackMessage, slack)).toEqual([]);
        const ownLink = `<${notice.cause.docUrl}|Troubleshooting guide>`;
        for (const text of slackTexts(slack))
          expect(text.split(ownLink).join('').replace(NEUTRAL, '')).not.toMatch(/[<>]/);
        // slack: each fact's value is shown as exactly its text (cut with "…" when long): every
        // formatting character of it sits in a date token's fallback, which Slack shows unformatted
        const fields = ((slack['blocks'] as Json[])[1]?.['fields'] ?? []) as Json[];
        noticeFacts(notice).forEach(([label, raw], i) => {
          const text = fields[i]?.['text'] as string;
          expect(text.startsWith(`*${label}*\n`)).toBe(true);
          const value = text.slice(label.length + 3);
          expect(value.replace(NEUTRAL, '')).not.toMatch(/[*_~`]|^&gt;/);
          const shown = slackShown(value);
          // A line's leading > is shown as its look-alike ˃ (a quote otherwise).
          const whole = (singleLine(raw) || '—').replace(/^>/, '\u02c3');
          expect(shown === whole || (shown.endsWith('…') && whole.startsWith(shown.slice(0, -1)))).toBe(true);
        });

        // teams: the SDK accepts the card, it fits Teams' size limit, and FactSet markdown is escaped
        const teamsBody = WEBHOOK_FORMATS.teams.buildPayload(notice, RECEIVER).body;
        expect(Buffer.byteLength(teamsBody)).toBeLessThanOrEqual(TEAMS_MAX_BODY_BYTES);
        const card = (bodies['teams']?.['attachments'] as Json[])[0]?.['content'] as Json;
        expect(adaptiveCardProblems(card)).toEqual([]);
        // FactSet values: markdown-it as the Adaptive Cards SDK runs it renders each to one paragraph of
        // exactly its text (cut with "…" when long): no emphasis, link, list or code from a value.
        noticeFacts(notice).forEach(([, raw], i) => {
          const value = facts(card)[i] ?? '';
          expect(value).not.toMatch(/\n/);
          const html = sdkMarkdown.render(value);
          expect(html).toMatch(/^<p>[^<]*<\/p>\n$/);
          const text = htmlText(html).replace(/\n$/, '');
          // Compared without zero-width spaces on both sides: htmlText drops the ones the escaping puts
          // between characters, and cannot tell them from the input's own (seed 529745467: a value of
          // one zero-width space, shown as it is, read as empty).
          const whole = (singleLine(raw) || '—').split('\u200b').join('');
          expect(text === whole || (text.endsWith('…') && whole.startsWith(text.slice(0, -1)))).toBe(true);
        });
      }),
      {
        numRuns: 150,
        // CI's seed 2006179247: a value of U+061C (ARABIC LETTER MARK, a bidi control the chat text
        // kept while the markdown escaping blanked it). Always tried since.
        examples: [[{ name: '', address: '', probeLog: '', other: '\u061c' }]],
      },
    );
  });
});
