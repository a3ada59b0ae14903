import { answerJson } from '../../../src/adapters/arm/response-capture';

describe('answerJson: the first step of reading an ARM answer, for the backend-health reader and the list pages', () => {
  it.each([
    [undefined, ''],
    ['', ''],
    [' \r\n', ''],
    [undefined, ' to the list call'],
  ])('%j%s: an empty body', (text, to) => {
    expect(answerJson(text, to)).toEqual({ ok: false, detail: `ARM answered 200${to} with an empty body` });
  });

  it('not JSON: its length and why, never the text (it may echo anything)', () => {
    const answer = answerJson('<html>secret-token</html>', ' to the list call');
    expect(answer).toEqual({
      ok: false,
      detail: expect.stringMatching(
        /^ARM answered 200 to the list call with a body that is not JSON \(25 characters; .+\)$/,
      ),
    });
    expect(JSON.stringify(answer)).not.toContain('secret-token');
  });

  it.each([
    ['{"value":[]}', { value: [] }],
    ['null', null],
    ['[1]', [1]],
  ])('%j: the value', (text, value) => {
    expect(answerJson(text)).toEqual({ ok: true, value });
  });
});
