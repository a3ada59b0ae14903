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
