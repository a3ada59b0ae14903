import fc from 'fast-check';
import { UNKNOWN } from '../../src/articles/inline-escape';
import { InlineRunScan, leavesAngleOpen, leavesBackticksOpen } from '../../src/articles/inline-scan';
import { sentinelFinder } from '../../src/articles/sentinels';

/**
 * InlineRunScan asks markdown-it whether a `<` or backtick run is left open before a placeholder about
 * the text since the last settled point only; the answer must be the one asking about the whole text
 * before it gives (as the engine did before: whole text, asked again only where the text since the
 * previous placeholder holds a `<`, `>` or backtick).
 */
const SENTINELS = Array.from({ length: 40 }, (_, i) => `qzph${i}hpzq`);
const PIECES = [
  'word ',
  ' ',
  '\n',
  '<',
  '>',
  '<b>',
  '</b>',
  '<a title="',
  '">',
  "<a title='",
  "'>",
  '<x',
  '<!--',
  '-->',
  '<?',
  '?>',
  '<!A',
  '<![CDATA[',
  ']]>',
  '<https://x/',
  '<a@b.c>',
  ':',
  '`',
  '``',
  '```',
  '\\`',
  '[',
  ']',
  '](u)',
  '](',
  ')',
  '"',
  "'",
  '\\',
  '![',
  '*',
  '_',
  '&amp;',
  '@',
  '.',
];

/** The answers the whole text before each placeholder gives, in the run's order. */
function wholeTextAnswers(content: string): { openAngle: boolean; openBackticks: boolean }[] {
  const hits = sentinelFinder(SENTINELS)(content);
  let blinded = '';
  let from = 0;
  const positions: number[] = [];
  for (const hit of hits) {
    blinded += content.slice(from, hit.at);
    positions.push(blinded.length);
    blinded += UNKNOWN;
    from = hit.at + hit.length;
  }
  const answers: { openAngle: boolean; openBackticks: boolean }[] = [];
  positions.forEach((at, k) => {
    const previous = positions[k - 1];
    const previousAnswer = answers[k - 1];
    if (
      previous !== undefined &&
      previousAnswer !== undefined &&
      !/[<>`]/.test(blinded.slice(previous + 1, at))
    ) {
      answers.push(previousAnswer);
      return;
    }
    const before = blinded.slice(0, at);
    answers.push({ openAngle: leavesAngleOpen(before), openBackticks: leavesBackticksOpen(before) });
  });
  return answers;
}

const runs = fc
  .array(fc.oneof(fc.constantFrom(...PIECES), fc.constant('S')), { minLength: 1, maxLength: 40 })
  .map((pieces) => {
    let n = 0;
    return pieces.map((p) => (p === 'S' ? (SENTINELS[n++ % SENTINELS.length] ?? '') : p)).join('');
  });

describe('InlineRunScan', () => {
  it('tells what is left open before each placeholder as asking about the whole text before it does', () => {
    fc.assert(
      fc.property(runs, fc.boolean(), (content, backwards) => {
        const hits = sentinelFinder(SENTINELS)(content);
        const expected = wholeTextAnswers(content);
        const scan = new InlineRunScan(content, hits);
        // Asked in order, or (as can happen) out of it.
        const order = hits.map((_, k) => k);
        if (backwards) order.reverse();
        for (const k of order) {
          const got = scan.get(hits[k]?.index ?? -1);
          expect({ openAngle: got?.openAngle, openBackticks: got?.openBackticks }).toEqual(expected[k]);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('reads closed HTML, a link, a code span as closed, and an attribute left open as open', () => {
    const content = `a <b>x</b> ${SENTINELS[0]} [link ${SENTINELS[1]}](u) \`c\` ${SENTINELS[2]} <a title="${SENTINELS[3]}`;
    const hits = sentinelFinder(SENTINELS)(content);
    const scan = new InlineRunScan(content, hits);
    const open = hits.map((hit) => scan.get(hit.index)?.openAngle);
    expect(open).toEqual([false, false, false, true]);
  });
});
