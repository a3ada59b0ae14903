import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ROOT, assertBuilt, runCli } from '../helpers/cli';
import { SAVED_ENCODINGS, encodeAs } from '../helpers/encodings';

const SEED = path.join(ROOT, 'articles/degraded-backend-server-health.md');

/** An article in the same format, written by "someone else": CRLF, odd marker spellings, a table. */
const RUNBOOK = [
  '<properties pageTitle="Disk almost full" articleId="OpsDiskFull" service="ops" />',
  '# Disk on <!--$ Host Name -->host<!--/$host name-->',
  '',
  '<!--issueDescription-->',
  'Volume **<!--$Volume-->C:<!--/$Volume-->** is <!--$Percent-->90<!--/$Percent-->% full.',
  '<!--/issueDescription-->',
  '',
  '| host | volume |',
  '| --- | --- |',
  '| <!--$Host Name-->h<!--/$Host Name--> | <!--$Volume-->v<!--/$Volume--> |',
  '',
  '[Runbook](<!--$RunbookUrl-->https://example.invalid<!--/$RunbookUrl-->)',
  '',
].join('\r\n');

beforeAll(assertBuilt);

describe('appgw-insights render', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-render-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--format json on the seed: metadata, placeholders in order, issue description, markdown, html', async () => {
    const values = path.join(dir, 'values.json');
    await writeFile(
      values,
      JSON.stringify({
        GatewayName: 'gw-1',
        CurrentTime: '2026-11-26 04:00:00',
        BackendSeverAddress: '10.0.0.4',
        HealthStatus: 'Down',
        ErrorDetails: 'TCP connect error',
      }),
    );
    const { code, stdout, stderr } = await runCli([
      'render',
      SEED,
      '--values',
      values,
      '--set',
      'GatewayName=gw <b>2</b>',
      '--format',
      'json',
    ]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.metadata.articleId).toBe('AppGwDegradedBackendServerHealthInsight');
    expect(out.placeholders).toEqual([
      'GatewayName',
      'CurrentTime',
      'BackendSeverAddress',
      'HealthStatus',
      'ErrorDetails',
    ]);
    expect(out.issueDescription).toContain('**gw &lt;b>2&lt;/b>**');
    expect(out.html).toContain('gw &lt;b&gt;2&lt;/b&gt;');
    expect(out.html).not.toContain('<b>2</b>');
    expect(`${out.markdown}${out.html}`).not.toMatch(/<!--\/?\$|Â/);
    expect(stderr).not.toMatch(/has no value/);
  });

  it('renders an article written by others (CRLF, spelling variants, table cells, link target)', async () => {
    const file = path.join(dir, 'runbook.md');
    await writeFile(file, RUNBOOK);
    const { code, stdout } = await runCli([
      'render',
      file,
      '--format',
      'html',
      '--set',
      'host name=web|01',
      '--set',
      'Volume=D:',
      '--set',
      'Percent=97',
      '--set',
      'RunbookUrl=javascript:alert(1)',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('<h1>Disk on web|01</h1>');
    expect(stdout).toMatch(/<td>web(\\|\||&#124;)01<\/td>/);
    expect(stdout).not.toContain('javascript:');
    expect(stdout.match(/<td>/g)).toHaveLength(2);
  });

  it('keeps defaults with warnings on stderr (exit 0), and fails with --strict naming the placeholder (exit 2)', async () => {
    const lenient = await runCli(['render', SEED, '--format', 'md']);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/placeholder "GatewayName" has no value/);
    const strict = await runCli(['render', SEED, '--strict']);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/line \d+: placeholder "GatewayName" has no value/);
  });

  it('fails on an unreadable template naming the line (exit 2), and on bad arguments', async () => {
    const file = path.join(dir, 'broken.md');
    await writeFile(file, '# Title\n\nok\n<!--$Never-->closed\n');
    const broken = await runCli(['render', file]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/line 4/);
    expect((await runCli(['render', SEED, '--format', 'pdf'])).stderr).toMatch(/--format: "pdf"/);
    expect((await runCli(['render', SEED, '--set', 'novalue'])).stderr).toMatch(/expected NAME=VALUE/);
    expect((await runCli(['render'])).code).toBe(2);
  });

  it.each(SAVED_ENCODINGS)('reads a --values file saved as %s', async (encoding) => {
    const values = path.join(dir, `values-${encoding.replace(/\W+/g, '-')}.json`);
    await writeFile(
      values,
      encodeAs(JSON.stringify({ GatewayName: 'gw-zürich', HealthStatus: 'Unhealthy' }), encoding),
    );
    const { code, stdout, stderr } = await runCli(['render', SEED, '--values', values, '--format', 'json']);
    expect(stderr).not.toMatch(/not valid JSON|Unexpected/);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).html).toContain('gw-zürich');
  });

  it('refuses a --values file that is not UTF-8 or UTF-16 in one terminal-safe line (exit 2)', async () => {
    const values = path.join(dir, 'values-utf16-no-bom.json');
    await writeFile(values, Buffer.from('{"GatewayName":"gw"}', 'utf16le'));
    const { code, stderr } = await runCli(['render', SEED, '--values', values]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `--values ${values}: the file looks like UTF-16 text without a byte-order mark: save it as UTF-8`,
    );
    // eslint-disable-next-line no-control-regex -- control characters are what this looks for
    expect(stderr).not.toMatch(/[\u0000\ufffd]/);
  });

  it('refuses a binary file (exit 2, one line), printing none of it', async () => {
    const binary = path.join(dir, 'program.bin');
    await writeFile(
      binary,
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x0a, 0x93, 0x1b, 0x5b, 0x32, 0x4a]),
    );
    const { code, stdout, stderr } = await runCli(['render', binary]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^error: line 1: the article is not text \(it holds a NUL character\)/);
    // eslint-disable-next-line no-control-regex -- nothing of the file reaches the terminal
    expect(stderr).not.toMatch(/[\u0000\u001b]/);
  });
});
