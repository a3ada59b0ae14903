import { createStderrLogger } from '../../src/cli/stderr-logger';

/** What reaches stderr for one warning whose text came from the network (a server's address). */
function stderrOf(message: string): string {
  let text = '';
  createStderrLogger(false, (written) => (text += written)).warn(message);
  return text;
}

describe('stderr logger: a message from the network never forges a line of its own', () => {
  it.each([
    ['a carriage return', '10.0.0.1\r\rerror: all servers recovered'],
    ['a line feed', '10.0.0.1\nerror: all servers recovered'],
    ['CR LF', '10.0.0.1\r\nerror: all servers recovered'],
    ['escape sequences around it', '10.0.0.1\u001b[2J\r\nerror: all servers recovered\u001b[0m'],
  ])('%s: the rest is an indented continuation, not an `error:` line', (_, address) => {
    const lines = stderrOf(`${address} dropped undelivered`).split('\n');
    expect(lines[0]).toMatch(/^warning: 10\.0\.0\.1/);
    const continued = lines.slice(1).filter((line) => line !== '');
    expect(continued.length).toBeGreaterThan(0);
    for (const line of continued) expect(line).toMatch(/^ {2}/);
    // No control character but the line feeds written (ESC, CR): tested by code point.
    const controls = [...stderrOf(address)].filter(
      (c) => c !== '\n' && (c < ' ' || (c >= '\u007f' && c <= '\u009f')),
    );
    expect(controls).toEqual([]);
  });
});

describe('stderr logger: each warning and error once (one logger per run, one for a demo)', () => {
  it('a message said again is not written again; a different one is, and info is never held back', () => {
    let text = '';
    const logger = createStderrLogger(true, (written) => (text += written));
    for (let run = 0; run < 3; run++) {
      logger.warn('Delivery to folder failed: cannot write to /x/F. Choose another folder with --out.');
      logger.warn('status page: history of gw-1 not written. Move away the file in the way.');
      logger.error('state: invalid');
      logger.info('run 1 of 3');
    }
    expect(text.match(/^warning: Delivery to folder failed/gm)).toHaveLength(1);
    expect(text.match(/^warning: status page/gm)).toHaveLength(1);
    expect(text.match(/^error: state: invalid/gm)).toHaveLength(1);
    expect(text.match(/^run 1 of 3/gm)).toHaveLength(3);
  });
});
