import fc from 'fast-check';
import { buildSlackMessage } from '../../../src/adapters/webhooks/slack/slack-payload';
import { buildTeamsCard } from '../../../src/adapters/webhooks/teams/teams-payload';
import { COMMANDS_IN_INSIGHT, fitStep } from '../../../src/core/notice/step-fit';
import { sampleNotice } from '../../adapters/webhooks/support/notices';

/**
 * Issue 17's fourth trial: Teams and Slack cut steps at 600 characters inside their commands, so a
 * pasted `probe create … && http-settings update … --probe …` chain ran half and left a gateway
 * half-changed. A step too long keeps its words and points to the insight; a command is whole or absent.
 */
const CHAIN = `az network application-gateway probe create -g rg-prod --gateway-name gw7 -n a-probe --protocol Http --host-name-from-http-settings true --path / --interval 30 --timeout 30 --threshold 3 --match-status-codes 200-399 401 && az network application-gateway http-settings update -g rg-prod --gateway-name gw7 -n ${'a'.repeat(60)} --host-name "\${SITE_HOST_NAME:?set SITE_HOST_NAME to the name the site answers to, on its certificate}" && az network application-gateway http-settings update -g rg-prod --gateway-name gw7 -n ${'a'.repeat(60)} --probe a-probe`;
const LONG_STEP = `If 401 is a right answer for this path, accept it: \`${CHAIN}\`.`;

describe('fitStep', () => {
  it('a step that fits: as it is', () => {
    expect(fitStep(LONG_STEP, () => true)).toBe(LONG_STEP);
  });

  it('a step too long with a command: its words before it, and where the commands are', () => {
    expect(fitStep(LONG_STEP, (t) => t.length <= 600)).toBe(
      `If 401 is a right answer for this path, accept it (${COMMANDS_IN_INSIGHT}).`,
    );
    expect(fitStep(`\`${CHAIN}\``, (t) => t.length <= 600)).toBe(`A step whose ${COMMANDS_IN_INSIGHT}.`);
  });

  it("never a part of a command: every backtick-delimited command in the result is one of the step's, whole", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.array(fc.string({ minLength: 1 }).filter((s) => !s.includes('`'))),
        fc.nat(2000),
        (lead, commands, room) => {
          const step = `${lead.replace(/`/g, '')}${commands.map((c) => ` \`${c}\``).join(',')}`;
          const fitted = fitStep(step, (t) => t.length <= room);
          const spans = [...fitted.matchAll(/`([^`]*)`/g)].map((m) => m[1]);
          for (const span of spans) expect(commands).toContain(span);
        },
      ),
    );
  });
});

describe('chat messages carry no command cut partway', () => {
  const notice = sampleNotice({
    cause: {
      id: 'status-code-mismatch',
      title: 'HTTP 401',
      steps: [LONG_STEP, 'Short step.'],
      docUrl: 'https://learn.microsoft.com/x',
    },
  });
  const texts = (value: unknown): string[] =>
    typeof value === 'string'
      ? [value]
      : Array.isArray(value)
        ? value.flatMap(texts)
        : value && typeof value === 'object'
          ? Object.values(value).flatMap(texts)
          : [];

  it.each([
    ['Teams', () => texts(buildTeamsCard(notice))],
    ['Slack', () => texts(buildSlackMessage(notice))],
  ])('%s', (_, all) => {
    const shown = all().join('\n');
    expect(shown).toContain(COMMANDS_IN_INSIGHT);
    expect(shown).not.toContain('probe create');
    expect(shown).toContain('Short step.');
  });
});
