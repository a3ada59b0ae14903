import fc from 'fast-check';
import { cutMarker } from '../../src/core/caps';
import { clipMessage, clipMiddle, clipText, ELLIPSIS } from '../../src/core/text-clip';

const graphemes = (text: string) => [
  ...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text),
];
const count = (text: string) => graphemes(text).length;

describe('clipText: whole words, whole characters, whole escapes', () => {
  it.each<[string, string, number, string]>([
    ['fits: unchanged', 'Backend server is unhealthy', 40, 'Backend server is unhealthy'],
    ['exactly the limit: unchanged', 'abcde fghij', 11, 'abcde fghij'],
    [
      'cut after the last whole word',
      'The backend server certificate is not allow-listed with Application Gateway today',
      40,
      'The backend server certificate is not…',
    ],
    ['a cut that falls on a space keeps the whole word before it', 'Unhealthy backend', 10, 'Unhealthy…'],
    [
      'never mid-word, even far from the end',
      'Cannot connect to backend.contoso.internal:8443 now',
      30,
      'Cannot connect to…',
    ],
    ['an address is not cut into another address', 'server 10.0.1.45 is down', 16, 'server…'],
    ['a single over-long token: cut between characters', 'x'.repeat(50), 10, `${'x'.repeat(9)}…`],
    [
      'a word that does not fit goes whole, however long',
      'Error: https://backend.contoso.com/a/very/long/path/that/goes/on',
      30,
      'Error:…',
    ],
    [
      'a first word longer than the limit is cut (nothing else to show)',
      'https://backend.contoso.com/a/b',
      12,
      'https://bac…',
    ],
    ['leading white space is no word boundary', '   https://backend.contoso.com/a/b', 12, '   https://…'],
    ['white space before the cut is dropped', 'aaaa      bbbbbbbbbbbbbbbbbbbbbbbb', 9, 'aaaa…'],
    ['emoji: a surrogate pair is never split', '😀'.repeat(20), 5, '😀😀😀😀…'],
    ['a family emoji (7 code points) is never split', '👨‍👩‍👧‍👦'.repeat(6), 17, '👨‍👩‍👧‍👦👨‍👩‍👧‍👦…'],
    ['a combining accent stays on its letter', 'e\u0301'.repeat(10), 8, `${'e\u0301'.repeat(3)}…`],
    ['flags (two code points each) are never split', '🇩🇪🇫🇷🇮🇹🇪🇸', 6, '🇩🇪🇫🇷…'],
    ['a cluster of a thousand accents counts as what it is', `a${'\u0301'.repeat(1000)} b`, 10, '…'],
    ['CJK and Cyrillic count as one each', 'Сервер недоступен 服务器不可用', 12, 'Сервер…'],
    ['an escape sequence is never cut', 'a\\u001bb\\u001bc\\u001bd\\u001be', 16, 'a\\u001bb\\u001bc…'],
    ['an escape at the cut is dropped whole', 'abc\\u009bdef', 8, 'abc…'],
    ['JSON escapes (\\n, \\") are never cut', 'a\\nb\\"c\\\\d', 6, 'a\\nb…'],
    ['a quoted value in a message', 'found "\\u001b[2Jwipe" at backendAddressPools[0]', 12, 'found…'],
    ['limit 1: the ellipsis alone', 'abc', 1, ELLIPSIS],
    ['limit 0 is taken as 1', 'abc', 0, ELLIPSIS],
    ['empty', '', 5, ''],
  ])('%s', (_name, text, limit, expected) => {
    expect(clipText(text, limit)).toBe(expected);
  });

  const text = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 80 }),
    fc
      .array(fc.constantFrom('word', 'é', '😀', ' ', '\\u001b', '10.0.1.4', '👨‍👩‍👧', '\\n', 'x'.repeat(30)), {
        maxLength: 40,
      })
      .map((parts) => parts.join('')),
  );

  it('property: at most `limit` characters, a prefix of the text plus "…", never a broken character or escape', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 60 }), (input, limit) => {
        const out = clipText(input, limit);
        if (out === input) return;
        expect(out.endsWith(ELLIPSIS)).toBe(true);
        const kept = out.slice(0, -ELLIPSIS.length);
        expect(input.startsWith(kept)).toBe(true);
        // Whole characters: the kept part splits into the same clusters as the input's start.
        expect(graphemes(kept).map((g) => g.segment)).toEqual(
          graphemes(input)
            .slice(0, count(kept))
            .map((g) => g.segment),
        );
        expect([...out].length).toBeLessThanOrEqual(limit);
        // No escape cut in two: each `\uXXXX` of the input is wholly kept or wholly dropped.
        for (const escape of input.matchAll(/\\u[0-9a-fA-F]{4}/g)) {
          const end = escape.index + escape[0].length;
          expect(escape.index >= kept.length || end <= kept.length).toBe(true);
        }
      }),
    );
  });

  it('property: text of words is cut after a whole word (the first word only when it alone is too long)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z0-9.é]{1,30}$/), { minLength: 2, maxLength: 30 }),
        fc.integer({ min: 2, max: 80 }),
        (words, limit) => {
          const input = words.join(' ');
          const out = clipText(input, limit);
          if (out === input) return;
          const kept = out.slice(0, -ELLIPSIS.length);
          // What was kept is whole words of the input, or the start of a first word too long alone.
          if ((words[0] as string).length >= limit) expect((words[0] as string).startsWith(kept)).toBe(true);
          else expect(words.slice(0, kept.split(' ').length).join(' ')).toBe(kept);
        },
      ),
    );
  });
});

describe('clipMiddle: the start and the advice at the end', () => {
  const ADVICE =
    'The status page history in state folder /var/lib/appgw/history is unavailable: cannot list it (EACCES). Notices are not affected. Point state.dir (APPGW_STATE_DIR) at a folder it may write.';
  it.each<[string, string, number, string]>([
    ['fits: unchanged', 'State file s.json is not valid.', 40, 'State file s.json is not valid.'],
    [
      'the advice, from its sentence start, and the start of the message',
      ADVICE,
      130,
      'The status page history in state folder /var/lib/appgw/history is… Point state.dir (APPGW_STATE_DIR) at a folder it may write.',
    ],
    [
      'no sentence in the tail: its whole last words',
      'aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk',
      32,
      'aaaa bbbb cccc… iiii jjjj kkkk',
    ],
    [
      'a first word longer than the limit: cut inside it, the tail kept',
      `${'x'.repeat(60)} then point it at a folder`,
      30,
      `${'x'.repeat(14)}… it at a folder`,
    ],
    ['one long last word: clipText alone', `ab cd ${'y'.repeat(40)}`, 20, 'ab cd…'],
    [
      'an escape in the tail is kept whole',
      `${'a '.repeat(20)}end \\u001bx`,
      24,
      'a a a a a a… end \\u001bx',
    ],
    ['limit 1', 'abc def', 1, ELLIPSIS],
    // A trial: a 403's tail read "(the operation's polls): see …", half a parenthesis.
    [
      'no sentence starts in the tail, which starts with a parenthesis ending a clause the cut took: after it',
      'The identity lacks permission "x/action" on the gateway. The app needs a/read on the scope, and b/read on the subscription (the operation\'s polls): see "Least privilege" in infra/README.md.',
      110,
      'The identity lacks permission "x/action" on the gateway. The app… see "Least privilege" in infra/README.md.',
    ],
  ])('%s', (_name, text, limit, expected) => {
    const out = clipMiddle(text, limit);
    expect(out).toBe(expected);
    expect([...out].length).toBeLessThanOrEqual(Math.max(1, limit));
  });

  it('property: at most `limit` code points; a start of the text, "…", and an end of it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-zA-Z0-9.é]{1,20}$/), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 100 }),
        (words, limit) => {
          const input = words.join(' ');
          const out = clipMiddle(input, limit);
          expect([...out].length).toBeLessThanOrEqual(limit);
          if (out === input) return;
          const at = out.indexOf(ELLIPSIS);
          expect(at).toBeGreaterThanOrEqual(0);
          expect(input.startsWith(out.slice(0, at))).toBe(true);
          expect(input.endsWith(out.slice(at + ELLIPSIS.length).trimStart())).toBe(true);
        },
      ),
    );
  });
});

/** ARM's 403 as it words it (Azure/azure-cli#29802): its advice comes last. */
const ARM_403 =
  "The client 'dev@contoso.com' with object id '00000000-0000-0000-0000-000000000001' does not have " +
  "authorization to perform action 'Microsoft.Network/applicationGateways/backendhealth/action' over scope " +
  "'/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-shop/providers/Microsoft.Network/" +
  "applicationGateways/appgw-shop' or the scope is invalid. If access was recently granted, please refresh " +
  'your credentials.';

describe('clipMessage: the start, the cut marker and the advice at the end', () => {
  it.each<[string, string, number, { oneLine?: boolean }, string]>([
    ['fits: unchanged', 'Denied by a policy.', 100, {}, 'Denied by a policy.'],
    ['fits: line breaks kept unless oneLine', 'a\nb', 100, {}, 'a\nb'],
    ['oneLine: every run of white space one space, trimmed', '  a\r\n\tb  \n', 100, { oneLine: true }, 'a b'],
    [
      "ARM's 403: what failed, the marker, and ARM's advice",
      ARM_403,
      200,
      {},
      `The client 'dev@contoso.com' with object id '00000000-0000-0000-0000-000000000001' does not have${cutMarker(ARM_403.length)} If access was recently granted, please refresh your credentials.`,
    ],
    [
      'oneLine: a later line is kept (the advice), not only the first',
      'Conflict: the operation failed.\nRetry after the gateway update finishes, or ask its owner to stop it.',
      120,
      { oneLine: true },
      'Conflict: the operation failed. Retry after the gateway update finishes, or ask its owner to stop it.',
    ],
    [
      'a limit too small for the marker: head… tail',
      'Cannot write the state. Point state.dir at a folder.',
      40,
      {},
      'Cannot write the state.… at a folder.',
    ],
    [
      'an escape sequence is never cut',
      `found "${'\\u001b'.repeat(40)}" at the end. Fix it.`,
      80,
      {},
      `found${cutMarker(268)} Fix it.`,
    ],
  ])('%s', (_name, text, limit, options, expected) => {
    const out = clipMessage(text, limit, options);
    expect(out).toBe(expected);
    expect([...out].length).toBeLessThanOrEqual(limit);
  });

  it('a huge message (8 MB): both ends, the marker with its whole length, within the limit', () => {
    const text = `Start of it. ${'word '.repeat(1_600_000)}Do this to fix it.`;
    const out = clipMessage(text, 300, { oneLine: true });
    expect(out.startsWith('Start of it. word')).toBe(true);
    expect(out).toContain(cutMarker(text.length));
    expect(out.endsWith('Do this to fix it.')).toBe(true);
    expect([...out].length).toBeLessThanOrEqual(300);
  });

  it('a huge message of emoji: no surrogate pair split at either window', () => {
    for (const extra of ['', 'x']) {
      const out = clipMessage(`${extra}${'😀'.repeat(300_000)}`, 120);
      expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
      expect(out).toContain('[cut: ');
    }
  });

  it('property: at most `limit` code points; a start of the text, the marker, and an end of it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-zA-Z0-9.é]{1,20}$/), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 80, max: 400 }),
        (words, limit) => {
          const input = words.join(' ');
          const out = clipMessage(input, limit);
          expect([...out].length).toBeLessThanOrEqual(limit);
          if (out === input) return;
          const marker = cutMarker(input.length);
          const at = out.indexOf(marker);
          expect(at).toBeGreaterThanOrEqual(0);
          expect(input.startsWith(out.slice(0, at))).toBe(true);
          expect(input.endsWith(out.slice(at + marker.length).trimStart())).toBe(true);
        },
      ),
    );
  });
});
