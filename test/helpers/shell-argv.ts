import { execFileSync } from 'node:child_process';

/**
 * The argv bash would run for `command` (its first word replaced by printf: nothing is run), with
 * `env` as its whole environment besides PATH: what a reader who pastes the command gets.
 */
export function shellArgv(command: string, env: Record<string, string> = {}): string[] {
  const [, ...rest] = command.split(' ');
  const out = execFileSync('bash', ['-c', `printf '%s\\0' ${rest.join(' ')}`], {
    encoding: 'utf8',
    // Not a remote shell's: bash reads no ~/.bashrc (it does when SHLVL is unset and stdin a socket).
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '', SHLVL: '2', ...env },
  });
  return out.split('\0').slice(0, -1);
}
