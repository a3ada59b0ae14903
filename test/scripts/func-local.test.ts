/**
 * `npm run func:local` where Azure Functions Core Tools is absent (as on this project's machines): it
 * starts nothing, writes no local.settings.json, says what to do instead and exits non-zero. The path
 * with Core Tools is not tested here: Core Tools cannot be installed from a package registry.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const SETTINGS = path.join(ROOT, 'local.settings.json');

describe('npm run func:local without Core Tools', () => {
  it('exits 3 having started nothing, naming Core Tools and the ways that work without it', () => {
    const before = existsSync(SETTINGS) ? statSync(SETTINGS).mtimeMs : undefined;
    // PATH holds only this Node: no `func`, no npm (a bundle build would fail loudly if it were tried)
    const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts/func-local.js')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: path.dirname(process.execPath) },
      timeout: 20_000,
    });
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('Azure Functions Core Tools (`func`) is not on PATH');
    expect(result.stderr).toContain('Nothing was started.');
    expect(result.stderr).toContain('npm run demo');
    expect(result.stderr).toContain('InvocationContext');
    expect(result.stdout).toBe('');
    expect(existsSync(SETTINGS) ? statSync(SETTINGS).mtimeMs : undefined).toBe(before);
  });
});
