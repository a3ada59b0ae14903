import { gatewayRef } from '../../../src/core/arm-id';
import { causeFor, type CauseId } from '../../../src/core/causes';
import { observeConfiguration } from '../../../src/core/config-observations';
import type { Finding, FindingConfiguration } from '../../../src/core/model';
import { exactCause, exactSteps } from '../../../src/core/exact-steps';
import { noticeCause } from '../../../src/core/notice/notice-cause';
import { fixCommands } from '../../../src/core/probe-commands';
import type { ResolvedProbe } from '../../../src/core/probe-resolution';
import { probe, resolved, settings } from '../config-fixtures';

/**
 * A notice's steps carry the gateway's own values when its configuration was read (issue 17): the
 * same commands the insight shows, so the person paged can act from the notice.
 */
const finding = (
  causeId: CauseId,
  configuration?: FindingConfiguration,
  receivedStatus?: number,
): Finding => ({
  gateway: gatewayRef('00000000-0000-0000-0000-000000000000', 'rg', 'appgw'),
  backendPool: 'pool-a',
  backendSettings: 'settings-a',
  address: '10.0.0.5',
  health: 'Unhealthy',
  state: 'unhealthy',
  probeLog: 'x',
  cause: causeFor(causeId, receivedStatus === undefined ? {} : { receivedStatus }),
  severity: 'warning',
  ...(configuration ? { configuration } : {}),
});
const read = (p: ResolvedProbe, causeId: CauseId, receivedStatus?: number): FindingConfiguration => ({
  read: true,
  probe: p,
  observations: observeConfiguration(p, {
    causeId,
    ...(receivedStatus === undefined ? {} : { receivedStatus }),
  }),
});
const GENERAL = /<address>|<probe path>|<probe host>/;

describe('noticeCause', () => {
  it.each<[string, Finding]>([
    ['no configuration (an earlier reading, evaluate)', finding('probe-timeout')],
    [
      'a configuration that could not be read',
      finding('probe-timeout', { read: false, reason: 'ARM answered 403 AuthorizationFailed' }),
    ],
  ])('%s: the cause as classified, its commands naming the gateway of its ARM id', (_, f) => {
    const cause = noticeCause(f);
    expect(cause).toEqual(exactCause(f));
    expect(cause.steps.join('\n')).toContain(
      '`az network application-gateway probe update -g rg --gateway-name appgw -n <probe> --timeout "${PROBE_TIMEOUT_SECONDS:?',
    );
    // The rest stays general: the configuration was not read.
    expect(cause.steps.join('\n')).toContain('http://<address>:<port><probe path>');
  });

  it.each<[CauseId, ResolvedProbe, RegExp, number | undefined]>([
    [
      'status-code-mismatch',
      resolved(settings(), probe({ path: '/healthz', statusCodes: ['200'] })),
      /^Reproduce the probe from a VM in the gateway's virtual network: `curl .*10\.0\.0\.5.*\/healthz.*`\./,
      404,
    ],
    [
      'probe-timeout',
      resolved(settings({ port: 8080 }), probe({ path: '/slow' })),
      /^Reproduce the probe .*`curl .*8080.*\/slow.*`/,
      undefined,
    ],
    ['tcp-connect', resolved(settings({ port: 8443 })), /^Reproduce the probe .*`curl .*8443/, undefined],
  ])(
    '%s: the exact reproduction replaces the general one; the recheck command last',
    (causeId, p, reproduce, status) => {
      const f = finding(causeId, read(p, causeId, status), status);
      const { steps, ...rest } = noticeCause(f);
      const { steps: classified, ...same } = f.cause;
      expect(rest).toEqual(same);
      const first = steps.findIndex((step) => step.startsWith('Reproduce the probe'));
      expect(steps[first]).toMatch(reproduce);
      // Every step before it says what the configuration shows, at most two of them.
      expect(steps.slice(0, first).every((step) => step.startsWith('In your configuration: '))).toBe(true);
      expect(first).toBeLessThanOrEqual(2);
      expect(steps.filter((step) => /curl|nc -vz/.test(step) && GENERAL.test(step))).toEqual([]);
      // Then the insight's own "change what is likely wrong" commands, when the configuration shows
      // something to change (issue 17's second trial: a notice lacked them).
      const commands = fixCommands(
        p,
        { causeId, ...(status ? { receivedStatus: status } : {}) },
        f.configuration?.read ? f.configuration.observations : [],
      );
      const change = steps.slice(first + 1).filter((step) => step.startsWith('Change what is likely wrong'));
      expect(change).toEqual(
        commands.length
          ? [
              `Change what is likely wrong with the Azure CLI: ${commands.map((c) => `\`${c}\``).join(', then ')}.`,
            ]
          : [],
      );
      // The classified steps that do another job are all kept, in order, but for one whose commands
      // the change step already gives (said once).
      const kept = classified.filter((step) => !(/curl|nc -vz/.test(step) && GENERAL.test(step)));
      const saidOnce = exactSteps(kept, f).filter(
        (step) =>
          !commands.some(
            (c) =>
              step ===
              `From the CLI: \`${c}\`, with a timeout longer than the time you measured and below the probe's interval.`,
          ),
      );
      expect(steps.slice(first + 1 + change.length, -1)).toEqual(saidOnce);
      expect(steps.join('\n')).not.toMatch(/<resource group>|<gateway>/);
      expect(steps.at(-1)).toBe(
        'Once fixed, confirm it at once with an on-demand probe: `appgw-insights recheck --gateway /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/appgw --pool pool-a --settings settings-a` (add `--config FILE` when you run appgw-insights from a configuration file).',
      );
    },
  );

  // A new-user trial: the change step gave `http-settings update`, then `probe update`, and the cause's
  // "From the CLI" step the same two joined by `&&`, in the other order.
  it("a cause's step whose joined commands the change step gives is said once", () => {
    const p = resolved(settings({ requestTimeoutInS: 30 }), probe({ timeoutInS: 30, intervalInS: 30 }));
    const steps = noticeCause(finding('probe-timeout', read(p, 'probe-timeout'))).steps;
    const change = steps.filter((step) => step.startsWith('Change what is likely wrong'));
    expect(change).toHaveLength(1);
    expect(change[0]).toContain('http-settings update');
    expect(change[0]).toContain('probe update');
    expect(steps.filter((step) => step.startsWith('From the CLI'))).toEqual([]);
    expect(steps.filter((step) => step.includes('probe update'))).toHaveLength(1);
  });

  it('a probe the configuration explains: what we see comes first, naming the probe', () => {
    const p = resolved(settings(), probe({ statusCodes: ['200'] }));
    const steps = noticeCause(
      finding('status-code-mismatch', read(p, 'status-code-mismatch', 401), 401),
    ).steps;
    expect(steps[0]).toMatch(/^In your configuration: .*probe-a/);
  });

  it('the certificate chain step (openssl -showcerts) is not a reproduction: kept', () => {
    const p = resolved(settings({ protocol: 'Https', port: 443 }), probe({ protocol: 'Https' }));
    const f = finding('cert-chain-incomplete', read(p, 'cert-chain-incomplete'));
    const openssl = f.cause.steps.filter((step) => step.includes('-showcerts'));
    expect(openssl.length).toBeGreaterThan(0);
    for (const step of openssl) expect(noticeCause(f).steps).toContain(exactSteps([step], f)[0]);
    expect(noticeCause(f).steps.join('\n')).toContain('openssl s_client -connect 10.0.0.5:443');
  });
});
