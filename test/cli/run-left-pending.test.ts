import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator';
import { assertBuilt, runCli } from '../helpers/cli';
import { emulatorArm } from '../helpers/emulator-settings';
import { gateway, gatewayId } from '../helpers/scenario-builder';

beforeAll(assertBuilt);

/**
 * A break trial: a run cut short by `runDeadlineInMs` wrote its report at once, then its process stayed
 * until a throttled poll's Retry-After (45 s there; up to minutes) had run out, so a scheduler or an
 * operator saw the run hang. The bin ends the process once the verb's output is written.
 */
describe('run: nothing left pending holds the process once its result is written', () => {
  const RETRY_AFTER_S = 600;
  let emulator: RunningEmulator;
  let dir: string;
  beforeAll(async () => {
    emulator = await startEmulator({
      scenario: {
        gateways: [
          gateway('fine', [{ address: '10.0.0.4', health: 'Healthy' }]),
          gateway('throttled', [{ address: '10.0.0.5', health: 'Healthy' }], {
            faults: [
              {
                on: 'poll',
                status: 429,
                code: 'SubscriptionRequestsThrottled',
                retryAfterSeconds: RETRY_AFTER_S,
              },
            ],
          }),
        ],
      } as never,
    });
    dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-run-left-pending-'));
  });
  afterAll(async () => {
    await emulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a run past its deadline while a poll waits out a 600 s Retry-After exits 124 with its report, not after the wait', async () => {
    const out = path.join(dir, 'out');
    const file = path.join(dir, 'config.json');
    await writeFile(
      file,
      JSON.stringify({
        targets: ['fine', 'throttled'].map((g) => gatewayId(g)),
        arm: emulatorArm(emulator),
        sinks: { dir: out },
        state: { dir: path.join(dir, 'state') },
        runDeadlineInMs: 3_000,
      }),
    );
    const started = Date.now();
    const result = await runCli(['run', '--config', file], dir);
    // A margin no busy machine reaches: the run ends in seconds, the wait would take ten minutes.
    expect(Date.now() - started).toBeLessThan((RETRY_AFTER_S * 1000) / 4);
    expect(result.code).toBe(124);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(report.interrupted.notDone.length).toBeGreaterThan(0);
  }, 300_000);
});
