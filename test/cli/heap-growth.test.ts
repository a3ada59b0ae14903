/**
 * The direct run's heap growth (src/cli/heap-growth.ts) rests on a V8 flag set after start-up: this
 * Node's V8 must still know it, and setting it must be silent (an unknown flag prints a warning and
 * does nothing).
 */
import { spawnSync } from 'node:child_process';
import { RUN_HEAP_GROWING_PERCENT } from '../../src/cli/heap-growth';

describe('the run’s heap growth', () => {
  it('this Node’s V8 has --heap-growing-percent, and takes it at run time without a word', () => {
    const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    expect(options.stdout).toMatch(/--heap-growing-percent\b/);
    const set = spawnSync(
      process.execPath,
      ['-e', `require('node:v8').setFlagsFromString('--heap-growing-percent=${RUN_HEAP_GROWING_PERCENT}')`],
      { encoding: 'utf8' },
    );
    expect(set.status).toBe(0);
    expect(set.stderr).toBe('');
    // What a flag V8 does not know does: a warning, so the check above can tell.
    const unknown = spawnSync(
      process.execPath,
      ['-e', "require('node:v8').setFlagsFromString('--appgw-no-such-flag=1')"],
      { encoding: 'utf8' },
    );
    expect(unknown.stderr).not.toBe('');
  });
});
