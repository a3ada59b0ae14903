import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFileStateStore } from '../../../src/adapters/state/file-state-store';
import { parseDocument } from '../../../src/adapters/state/state-store';
import { StateInvalidError } from '../../../src/errors';
import { historyError } from '../../../src/pipeline/status/status-services';

/**
 * A state document that is not JSON at all (issue 15 trial: `{"version":1, broken`) is a broken file,
 * not a newer version's: its advice never says "if a newer appgw-insights wrote it, run that version".
 * A document that is JSON of another shape keeps that advice. Every document the stores keep is read
 * through parseDocument: the notify state, silences.json, a gateway's history, the page schedule.
 */
const BROKEN = ['{"version":1, broken', '{', 'not json', '\uFEFF{"a":'];

function errorOf(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('no error');
}

describe('a document that is not JSON: says so, and only the recoveries that apply', () => {
  it.each(BROKEN)('notify state %j: "not valid JSON", no newer version', (text) => {
    const error = errorOf(() => parseDocument(text, 'e', 'state file /s/gw.json')) as StateInvalidError;
    expect(error).toBeInstanceOf(StateInvalidError);
    expect(error.notJson).toBe(true);
    expect(error.message).toContain('/s/gw.json is not valid JSON (');
    expect(error.message).not.toMatch(/newer|this version/);
    expect(error.message).toContain('move it aside');
  });

  it.each(['read', 'listed', 'other', 'schedule-read'] as const)(
    'history (%s): "not valid JSON", only "move it aside"',
    (situation) => {
      const invalid = errorOf(() => parseDocument(BROKEN[0] as string, 'e', 'history/s/gw.json'));
      const error = historyError(invalid, situation);
      expect(error.message).toContain('history/s/gw.json is not valid JSON (');
      expect(error.message).not.toMatch(/newer|this version|backup|by hand/);
      expect(error.message).toContain('To recover: move it aside');
    },
  );

  it('JSON of another shape keeps the version advice (it may be a newer release)', () => {
    const error = new StateInvalidError('state file /s/gw.json', ['version: expected 1']);
    expect(error.notJson).toBe(false);
    expect(error.message).toContain('if a newer appgw-insights wrote it, run that version');
  });

  it('silences.json read from its folder: the same', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-not-json-'));
    try {
      const file = path.join(dir, 'silences.json');
      await writeFile(file, BROKEN[0] as string);
      const error = await createFileStateStore({ file })
        .read()
        .then(
          () => undefined,
          (e: StateInvalidError) => e,
        );
      expect(error?.notJson).toBe(true);
      expect(error?.message).toContain('silences.json is not valid JSON (');
      expect(error?.message).not.toMatch(/newer/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
