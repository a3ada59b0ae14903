import { followUpCommand, type ConfigSource } from '../../src/core/follow-up-command';

/** A command a message tells the user to run next can be pasted as it is: the --config, and each argument one shell word. */
describe('followUpCommand', () => {
  it.each<[string, string, ConfigSource | undefined, string[], string]>([
    [
      'no file known: the placeholder',
      'silence list',
      undefined,
      [],
      'appgw-insights silence list --config FILE',
    ],
    [
      'the file the verb was given',
      'silence list',
      { file: 'appgw.json' },
      ['--all'],
      'appgw-insights silence list --config appgw.json --all',
    ],
    [
      'a path with a space, quoted',
      'notify list',
      { file: 'my dir/a.json' },
      [],
      "appgw-insights notify list --config 'my dir/a.json'",
    ],
    [
      'a file named like an option stays one word',
      'notify list',
      { file: '$(rm -rf ~)' },
      [],
      "appgw-insights notify list --config '$(rm -rf ~)'",
    ],
    [
      'an id that a shell would read otherwise',
      'silence expire',
      { file: 'c.json' },
      ['mw;1'],
      "appgw-insights silence expire --config c.json 'mw;1'",
    ],
    [
      'a receiver after its flag',
      'notify resend',
      undefined,
      ['--receiver', 'ops'],
      'appgw-insights notify resend --config FILE --receiver ops',
    ],
    // Issue 15's trial: a run configured by the environment printed `--config FILE`, and there was no FILE.
    [
      'a verb that read the APPGW_* settings from the environment: no --config',
      'notify resend',
      'environment',
      ['--receiver', 'ops'],
      'appgw-insights notify resend --receiver ops',
    ],
  ])('%s', (_, verb, file, args, expected) => {
    expect(followUpCommand(verb, file, ...args)).toBe(expected);
  });
});
