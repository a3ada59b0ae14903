import {
  cp,
  mkdir,
  mkdtemp,
  open,
  readFile,
  readdir,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFolderSink } from '../../../src/adapters/sinks/folder-sink';
import { DeliveryError, isScratchUnavailableError, ScratchUnavailableError } from '../../../src/errors';
import {
  gatewayInsightFolder,
  statusInsightFolder,
  statusInsightPath,
} from '../../../src/insight/insight-path';
import {
  buildDelivery,
  finding,
  gatewayRef,
  withUnreadableEntry,
  SUBSCRIPTION,
} from '../../helpers/delivery-builder';

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** The sink's temporary files (`<name>.<id>.tmp`) among `names`. */
const temporaryFiles = (names: readonly string[]) => names.filter((n) => n.endsWith('.tmp'));

/** FileHandle's prototype (Node does not export the class) and its own `write`, for a spy to wrap. */
async function fileHandleWrite(dir: string) {
  const probe = await open(path.join(dir, 'probe'), 'w');
  const prototype = Object.getPrototypeOf(probe) as { write: (...args: unknown[]) => Promise<unknown> };
  await probe.close();
  await rm(path.join(dir, 'probe'));
  return { prototype, original: prototype.write };
}

/**
 * Every FileHandle write of the status page's `<h2>full` piece refused with ENOSPC from now on, as a
 * full disk would, the rest written: the spy, to restore.
 */
async function pageOnFullDisk(dir: string) {
  const { prototype, original } = await fileHandleWrite(dir);
  return jest.spyOn(prototype, 'write').mockImplementation(function (this: unknown, ...args) {
    if (
      Buffer.from(args[0] as Uint8Array)
        .toString('utf8')
        .includes('<h2>full')
    )
      return Promise.reject(
        Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }),
      );
    return original.apply(this, args);
  });
}

/** A run's end delivered to a folder sink in `dir` with the page pageOnFullDisk refuses: its error. */
function deliverFullPage(dir: string): Promise<unknown> {
  return createFolderSink({ dir })
    .deliver({
      ...buildDelivery('r1', [], 'report'),
      statusPage: {
        async *pieces() {
          yield '<h2>full</h2>';
        },
      },
    })
    .catch((e: unknown) => e);
}

describe('folder sink', () => {
  const gw = gatewayRef('gw');
  const other = gatewayRef('gw-2');

  // A break trial: a run that read no gateway and could not list the histories replaced a page of 26
  // gateways with an empty one.
  it.each(['report', 'page'] as const)(
    'keepPublishedPage (%s delivery): index.html written where there is none, a published one kept, no temporary file left',
    async (scope) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
      try {
        const sink = createFolderSink({ dir });
        const delivery = (page: string) => ({
          ...buildDelivery('r1', [], scope),
          statusPage: {
            async *pieces() {
              yield page;
            },
          },
          keepPublishedPage: true,
        });
        const index = path.join(dir, 'index.html');
        const first = await sink.deliver(delivery('<p>nothing shown'));
        expect(await readFile(index, 'utf8')).toBe('<p>nothing shown');
        expect(first.locations).toContain(index);

        await writeFile(index, '<p>26 gateways');
        const second = await sink.deliver(delivery('<p>nothing shown again'));
        expect(await readFile(index, 'utf8')).toBe('<p>26 gateways');
        expect(second.locations).not.toContain(index);
        expect(temporaryFiles(await files(dir))).toEqual([]);

        // Without it, the page replaces the published one.
        await sink.deliver({ ...delivery('<p>3 gateways'), keepPublishedPage: false });
        expect(await readFile(index, 'utf8')).toBe('<p>3 gateways');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it('report.json is JSON.stringify(report, null, 2) and a line break, byte for byte, when written in pieces', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      // Enough gateways for many write pieces; names from the network with non-ASCII and controls.
      const many = Array.from({ length: 400 }, (_, i) => ({
        gateway: gatewayRef(`gw-${i}-é\u009b`),
        unhealthy: [`10.0.${i % 250}.4`],
      }));
      const delivery = { ...buildDelivery('r-big', many, 'report'), insights: [] };
      await createFolderSink({ dir }).deliver(delivery);
      const written = await readFile(path.join(dir, 'report.json'), 'utf8');
      expect(written.length).toBeGreaterThan(3 * 64 * 1024);
      expect(written).toBe(`${JSON.stringify(delivery.report, null, 2)}\n`);
      expect(temporaryFiles(await files(dir))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a file system that writes only part of what is asked (a nearly full disk): report.json and index.html still whole (trial: cut at 8 192 bytes, renamed over the good one)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    // Every FileHandle's write takes at most 1 000 bytes a call and says so in bytesWritten, as write(2)
    // may on a disk that is nearly full; the file system's own calls, not a mock of ours.
    const { prototype, original } = await fileHandleWrite(dir);
    const short = jest.spyOn(prototype, 'write').mockImplementation(function (this: unknown, ...args) {
      const [data, offsetOrPosition, lengthOrEncoding, position] = args;
      if (typeof data === 'string') {
        const bytes = Buffer.from(data, (lengthOrEncoding as BufferEncoding | undefined) ?? 'utf8');
        return original.call(this, bytes, 0, Math.min(1_000, bytes.length), offsetOrPosition ?? null);
      }
      const length = Math.min(1_000, lengthOrEncoding as number);
      return original.call(this, data, offsetOrPosition, length, position);
    });
    try {
      const many = Array.from({ length: 60 }, (_, i) => ({ gateway: gatewayRef(`gw-${i}`), unhealthy: [] }));
      const pieces = Array.from({ length: 500 }, (_, i) => `<h2>gw-${i} ✓</h2>\n`);
      const delivery = {
        ...buildDelivery('r-short', many, 'report'),
        insights: [],
        statusPage: {
          async *pieces() {
            yield* pieces;
          },
        },
      };
      await createFolderSink({ dir }).deliver(delivery);
      expect(short).toHaveBeenCalled();
      expect(await readFile(path.join(dir, 'report.json'), 'utf8')).toBe(
        `${JSON.stringify(delivery.report, null, 2)}\n`,
      );
      expect(await readFile(path.join(dir, 'index.html'), 'utf8')).toBe(pieces.join(''));
    } finally {
      short.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('run delivery: insights as .md + .html per finding, report.json; a recovered server disappears', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    const sink = createFolderSink({ dir });
    await sink.deliver(
      buildDelivery('r1', [
        { gateway: gw, unhealthy: ['10.0.0.4', '10.0.0.5'] },
        { gateway: other, unhealthy: ['10.9.0.4'] },
      ]),
    );
    expect((await files(dir)).filter((f) => f.endsWith('.md'))).toHaveLength(3);
    expect(JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')).runId).toBe('r1');

    // gw evaluated again with one server left; gw-2 failed this time and keeps its insight.
    await sink.deliver(
      buildDelivery('r2', [
        { gateway: gw, unhealthy: ['10.0.0.5'] },
        { gateway: other, ok: false },
      ]),
    );
    const after = await files(dir);
    expect(after.filter((f) => f.endsWith('.md'))).toEqual(
      [
        expect.stringMatching(new RegExp(`^insights/${SUBSCRIPTION}/rg-web/gw-2/.*10\\.9\\.0\\.4`)),
        expect.stringMatching(new RegExp(`^insights/${SUBSCRIPTION}/rg-web/gw/.*10\\.0\\.0\\.5`)),
      ].sort((a, b) => String(a).localeCompare(String(b))),
    );
    expect(after.some((f) => f.includes('.staging'))).toBe(false);
    await rm(dir, { recursive: true, force: true });
  });

  // A break trial: a run's folder (its report, page and notify state) made inside another run's
  // insights/<sub>/<rg>/<gateway> was removed whole by that run's next delivery, and its 12 notices were
  // sent again. What the sink did not write in a gateway's folder is never replaced or removed.
  it.each([
    [
      "another run's folder, notify state and all",
      { 'report.json': '{}', 'index.html': 'x', '.appgw-state/notify.json': '{}' },
      'has insights',
    ],
    [
      "another run's folder, the gateway healthy now (its folder would be removed)",
      { 'report.json': '{}', '.appgw-state/notify.json': '{}' },
      'healthy',
    ],
    ['a run lock', { '.appgw-run.lock/owner.json': '{}' }, 'has insights'],
    ["a user's notes beside the insights", { 'notes.txt': 'mine' }, 'has insights'],
    // A break trial: any .md or .html passed as the sink's own, and went with the folder.
    ["a user's runbook.md beside the insights", { 'runbook.md': 'mine' }, 'has insights'],
    // A second trial: a date stamp is 8 hex digits.
    ["a user's runbook-20241231.md beside the insights", { 'runbook-20241231.md': 'mine' }, 'has insights'],
    ["a user's page beside the insights, the gateway healthy now", { 'notes.html': 'mine' }, 'healthy'],
    ["a user's page in the status page's copies (s/…)", { 'custom.html': 'mine' }, 'copies'],
    ["a run's folder in the status page's copies (s/…)", { 'report.json': '{}' }, 'copies'],
  ] as const)(
    'a gateway folder holding %s: left as it is, the delivery says what is in the way',
    async (_, theirs, when) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
      try {
        const sink = createFolderSink({ dir });
        await sink.deliver(
          buildDelivery('r1', [
            { gateway: gw, unhealthy: ['10.0.0.4'] },
            { gateway: other, unhealthy: ['10.9.0.4'] },
          ]),
        );
        const folder = when === 'copies' ? statusInsightFolder(gw) : gatewayInsightFolder(gw);
        for (const [file, text] of Object.entries(theirs)) {
          await mkdir(path.dirname(path.join(dir, folder, file)), { recursive: true });
          await writeFile(path.join(dir, folder, file), text);
        }
        const before = (await files(path.join(dir, folder))).sort();
        const failure = await sink
          .deliver(
            buildDelivery('r2', [
              { gateway: gw, unhealthy: when === 'healthy' ? [] : ['10.0.0.5'] },
              { gateway: other, unhealthy: ['10.9.0.5'] },
            ]),
          )
          .then(
            () => undefined,
            (error: unknown) => error,
          );
        expect(failure).toBeInstanceOf(DeliveryError);
        const first = (Object.keys(theirs).sort()[0] as string).split('/')[0] as string;
        expect((failure as Error).message).toContain(
          `${folder} holds what appgw-insights did not write there (${first}`,
        );
        expect((failure as Error).message).toContain('Move what is in the way out of that folder');
        expect((await files(path.join(dir, folder))).sort()).toEqual(before);
        for (const [file, text] of Object.entries(theirs))
          expect(await readFile(path.join(dir, folder, file), 'utf8')).toBe(text);
        expect((await readdir(dir)).filter((f) => f.startsWith('.staging'))).toEqual([]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  // A trial: a file in the copies' folder (s/…) was refused after the insights' folder was replaced:
  // the status page linked to copies that were gone, and the message said neither was updated.
  it('a refusal of the copies’ folder leaves the insights’ folder as it was too', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      const sink = createFolderSink({ dir });
      await sink.deliver(buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }]));
      await writeFile(path.join(dir, statusInsightFolder(gw), 'notes.txt'), 'mine');
      const insightsBefore = await files(path.join(dir, gatewayInsightFolder(gw)));
      const copiesBefore = await files(path.join(dir, statusInsightFolder(gw)));
      await expect(
        sink.deliver(buildDelivery('r2', [{ gateway: gw, unhealthy: ['10.0.0.5'] }])),
      ).rejects.toThrow(/insights and their copies are left as they were until that is moved out of s\//);
      expect(await files(path.join(dir, gatewayInsightFolder(gw)))).toEqual(insightsBefore);
      expect(await files(path.join(dir, statusInsightFolder(gw)))).toEqual(copiesBefore);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // A trial: opening a gateway's folder in Finder (.DS_Store) stopped its delivery on every run.
  it.each(['.DS_Store', 'Thumbs.db', 'desktop.ini'])(
    'a file manager’s %s in a gateway folder: replaced with it, no refusal',
    async (name) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
      try {
        const sink = createFolderSink({ dir });
        await sink.deliver(buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }]));
        await writeFile(path.join(dir, gatewayInsightFolder(gw), name), 'x');
        await sink.deliver(buildDelivery('r2', [{ gateway: gw, unhealthy: ['10.0.0.5'] }]));
        const now = await files(path.join(dir, gatewayInsightFolder(gw)));
        expect(now.some((f) => f.includes('10.0.0.5'))).toBe(true);
        expect(now).not.toContain(name);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it('a link in a gateway folder (to a folder of the user’s): left as it is, and what it leads to too', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      const mine = path.join(dir, 'mine');
      await mkdir(mine);
      await writeFile(path.join(mine, 'keep.txt'), 'mine');
      const sink = createFolderSink({ dir: path.join(dir, 'out') });
      await sink.deliver(buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }]));
      await symlink(mine, path.join(dir, 'out', gatewayInsightFolder(gw), 'linked'));
      await expect(sink.deliver(buildDelivery('r2', [{ gateway: gw, unhealthy: [] }]))).rejects.toThrow(
        /holds what appgw-insights did not write there \(linked\)/,
      );
      expect(
        await readFile(path.join(dir, 'out', gatewayInsightFolder(gw), 'linked', 'keep.txt'), 'utf8'),
      ).toBe('mine');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a gateway whose servers all recovered keeps no folder: neither its insights nor their copies', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      const sink = createFolderSink({ dir });
      await sink.deliver(buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }]));
      await sink.deliver(buildDelivery('r2', [{ gateway: gw, unhealthy: [] }]));
      // Before, an empty folder was staged and renamed into place for each of them.
      const gone = async (folder: string) =>
        stat(path.join(dir, folder)).then(
          () => false,
          (error: NodeJS.ErrnoException) => error.code === 'ENOENT',
        );
      expect(await gone(gatewayInsightFolder(gw))).toBe(true);
      expect(await gone(statusInsightFolder(gw))).toBe(true);
      expect((await files(dir)).filter((f) => f.startsWith('insights/') || f.startsWith('s/'))).toEqual([]);
      expect((await readdir(dir)).filter((f) => f.startsWith('.staging'))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each(['run', 'gateway', 'report'] as const)(
    'the insights folder a receipt names is there when no gateway has insights (%s delivery)',
    async (scope) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
      try {
        const delivery = { ...buildDelivery('r1', [{ gateway: gw, unhealthy: [] }], scope), insights: [] };
        const receipt = await createFolderSink({ dir }).deliver(delivery);
        const insights = path.join(dir, 'insights');
        expect(receipt.locations).toContain(insights);
        expect((await stat(insights)).isDirectory()).toBe(true);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it('a file where insights/ should be fails the insights, never report.json (its report delivery)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      await writeFile(path.join(dir, 'insights'), 'in the way');
      const sink = createFolderSink({ dir });
      await expect(
        sink.deliver(buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'gateway')),
      ).rejects.toThrow(DeliveryError);
      await sink.deliver({
        ...buildDelivery('r1', [{ gateway: gw, unhealthy: [] }], 'report'),
        insights: [],
      });
      expect(JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')).runId).toBe('r1');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a file where runs/ should be fails the gateway results once, and the report delivery adds no second error (break trial)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      await writeFile(path.join(dir, 'runs'), 'in the way');
      const sink = createFolderSink({ dir });
      // The file in the way is named, so the user knows which to move (it said only "a file is where a
      // folder should be", and to let the account write there).
      const error = await sink
        .deliver(buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'gateway'))
        .then(
          () => undefined,
          (e: Error) => e,
        );
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error?.message).toContain(
        `cannot write to ${dir}: a file is where a folder should be (the file "runs" in it) (ENOTDIR)`,
      );
      // Its results were never written: nothing to remove, nothing to say.
      await sink.deliver({
        ...buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'report'),
        insights: [],
      });
      expect(JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')).runId).toBe('r1');
      expect(await readFile(path.join(dir, 'runs'), 'utf8')).toBe('in the way');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a run’s end removes the .staging folders and report.json or index.html temporary files a killed run left (over an hour old), never a young one, nor what it did not make (trials)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      const left = path.join(dir, '.staging-0b6e1f9c-3d2a-4c5e-9f10-2a3b4c5d6e7f');
      const young = path.join(dir, '.staging-7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f');
      const notOurs = path.join(dir, '.staging-notes');
      const notStaging = path.join(dir, 'staging-notes');
      for (const folder of [left, young, notOurs, notStaging])
        await mkdir(path.join(folder, 'pool'), { recursive: true });
      const userFile = path.join(dir, '.staging-0b6e1f9c-3d2a-4c5e-9f10-000000000000');
      await writeFile(userFile, 'a file of the user, named like ours');
      // A kill just before report.json's or index.html's rename leaves its temporary file (a new-user
      // trial: nothing tidied it); a user's folder or file named alike is not ours.
      const leftReport = path.join(dir, 'report.json.0b6e1f9c.tmp');
      const leftPage = path.join(dir, 'index.html.7c1d2e3f.tmp');
      const youngReport = path.join(dir, 'report.json.4a5b4c6d.tmp');
      const userNotes = path.join(dir, 'report.json.notes.tmp');
      const folderNamedAlike = path.join(dir, 'index.html.0a1b2c3d.tmp');
      for (const file of [leftReport, leftPage, youngReport, userNotes]) await writeFile(file, '{"cut');
      await mkdir(folderNamedAlike);
      const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
      // What a killed run left is old through and through: the folder and what it holds.
      for (const entry of [
        path.join(left, 'pool'),
        left,
        notOurs,
        notStaging,
        userFile,
        leftReport,
        leftPage,
        userNotes,
        folderNamedAlike,
      ])
        await utimes(entry, twoHoursAgo, twoHoursAgo);
      await createFolderSink({ dir }).deliver({
        ...buildDelivery('r1', [{ gateway: gw }], 'report'),
        insights: [],
      });
      const names = await readdir(dir);
      for (const gone of [left, leftReport, leftPage]) expect(names).not.toContain(path.basename(gone));
      expect(names).toEqual(
        expect.arrayContaining([
          path.basename(young),
          path.basename(notOurs),
          path.basename(userFile),
          'staging-notes',
          'report.json',
          ...[youngReport, userNotes, folderNamedAlike].map((kept) => path.basename(kept)),
        ]),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a report delivery that cannot write report.json removes its run’s folders left empty (a full disk: trial), and keeps those that hold a result', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      // Gateway results refused (their folders made, no file in them), then report.json too.
      const emptyTree = path.join(dir, 'runs', 'r1', 'gateways', 'sub-1', 'rg-1');
      await mkdir(emptyTree, { recursive: true });
      await mkdir(path.join(dir, 'report.json'));
      const sink = createFolderSink({ dir });
      const deliverReport = (runId: string) =>
        sink.deliver({ ...buildDelivery(runId, [{ gateway: gw }], 'report'), insights: [] });
      await expect(deliverReport('r1')).rejects.toThrow(/writing report\.json/);
      expect(await readdir(dir)).toEqual(expect.arrayContaining(['insights', 'report.json']));
      expect(await readdir(dir)).not.toContain('runs');
      // A run with a result written keeps it (the only record of what it did), and its empty folders.
      const written = path.join(dir, 'runs', 'r2', 'gateways', 'sub-1', 'rg-1');
      await mkdir(written, { recursive: true });
      await mkdir(path.join(dir, 'runs', 'r2', 'gateways', 'sub-2'), { recursive: true });
      await writeFile(path.join(written, 'gw.json'), '{}');
      await expect(deliverReport('r2')).rejects.toThrow(/writing report\.json/);
      expect(await readdir(path.join(dir, 'runs', 'r2', 'gateways'))).toEqual(['sub-1']);
      expect(await readFile(path.join(written, 'gw.json'), 'utf8')).toBe('{}');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the gateway delivery’s failure names the step that met the file in the way (making insights/)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      await writeFile(path.join(dir, 'insights'), 'in the way');
      const error = await createFolderSink({ dir })
        .deliver(buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'gateway'))
        .then(
          () => undefined,
          (e: Error) => e,
        );
      expect(error?.message).toContain(
        `cannot write to ${dir}: a file is where a folder should be (the file "insights" in it) (EEXIST) (making insights/)`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // The other cases of the kind: a file or folder in the way of one step of the run's end never keeps
  // the others unwritten, and the failure names the step that met it.
  it.each([
    // The folder in the way is named as a file in the way is (a trial saw a bare "EISDIR").
    [
      'a folder named report.json',
      'report.json',
      'folder',
      ['index.html'],
      /a folder is where a file should be \(the folder "report\.json" in it\) \(EISDIR\) \(writing report\.json\)/,
    ],
    [
      'a folder named index.html',
      'index.html',
      'folder',
      ['report.json'],
      /a folder is where a file should be \(the folder "index\.html" in it\) \(EISDIR\) \(writing index\.html\)/,
    ],
  ])(
    '%s: the report delivery writes the rest, and says which step failed',
    async (_, name, kind, written, step) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
      try {
        if (kind === 'file') await writeFile(path.join(dir, name), 'in the way');
        else await mkdir(path.join(dir, name, 'inside'), { recursive: true });
        const error = await createFolderSink({ dir })
          .deliver({ ...buildDelivery('r1', [], 'report'), statusPage: '<!doctype html><p>run 1' })
          .then(
            () => undefined,
            (e: Error) => e,
          );
        expect(error).toBeInstanceOf(DeliveryError);
        expect(error?.message).toMatch(step);
        for (const file of written) expect((await stat(path.join(dir, file))).isFile()).toBe(true);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it("the status page's copies (s/<gateway>/<server>.html): each insight's HTML, replaced as the insights are", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      const sink = createFolderSink({ dir });
      const first = buildDelivery('r1', [
        { gateway: gw, unhealthy: ['10.0.0.4', '10.0.0.5'] },
        { gateway: other, unhealthy: ['10.9.0.4'] },
      ]);
      await sink.deliver(first);
      for (const insight of first.insights) {
        expect(await readFile(path.join(dir, statusInsightPath(insight.finding)), 'utf8')).toBe(insight.html);
      }
      // gw re-checked with .4 recovered; gw-2 failed and keeps its copy, as it keeps its insight.
      const second = buildDelivery('r2', [
        { gateway: gw, unhealthy: ['10.0.0.5'] },
        { gateway: other, ok: false },
      ]);
      await sink.deliver(second);
      const copies = (await files(dir)).filter((f) => f.startsWith('s/'));
      expect(copies).toEqual(
        [statusInsightPath(finding(gw, '10.0.0.5')), statusInsightPath(finding(other, '10.9.0.4'))].sort(),
      );
      expect(await readFile(path.join(dir, statusInsightPath(finding(gw, '10.0.0.5'))), 'utf8')).toBe(
        second.insights[0]?.html,
      );
      expect(
        copies.every(
          (f) =>
            f.startsWith(`${statusInsightFolder(gw)}/`) || f.startsWith(`${statusInsightFolder(other)}/`),
        ),
      ).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('gateway delivery (fan-out): that gateway’s insights and its result under the run; report.json untouched', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    const sink = createFolderSink({ dir });
    await sink.deliver(buildDelivery('run-1', [], 'run'));
    const before = await readFile(path.join(dir, 'report.json'), 'utf8');
    const receipt = await sink.deliver(
      buildDelivery('run-1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'gateway'),
    );
    expect(await readFile(path.join(dir, 'report.json'), 'utf8')).toBe(before);
    const result = JSON.parse(
      await readFile(path.join(dir, `runs/run-1/gateways/${SUBSCRIPTION}/rg-web/gw.json`), 'utf8'),
    );
    expect(result.gateways).toEqual([expect.objectContaining({ name: 'gw', ok: true })]);
    expect(receipt.locations[0]).toContain(path.join('runs', 'run-1', 'gateways'));
    // The insight, and its copy where the status page links to it.
    expect((await files(dir)).filter((f) => f.endsWith('.html'))).toEqual([
      expect.stringMatching(/^insights\/.*10\.0\.0\.4.*\.html$/),
      statusInsightPath(finding(gw, '10.0.0.4')),
    ]);
  });

  it('a status page in pieces (a direct run’s, from its temporary files): index.html is their text, byte for byte', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      // More than one write's worth, non-ASCII across piece boundaries.
      const pieces = Array.from({ length: 3000 }, (_, i) => `<h2>gw-${i} ✓ é 𝄞</h2>\n`);
      const statusPage = {
        async *pieces() {
          yield* pieces;
        },
      };
      await createFolderSink({ dir }).deliver({ ...buildDelivery('r1', [], 'report'), statusPage });
      expect(await readFile(path.join(dir, 'index.html'), 'utf8')).toBe(pieces.join(''));
      expect(temporaryFiles(await files(dir))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a status page whose pieces cannot be read: the scratch’s own error, the old index.html kept, no half page', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      const sink = createFolderSink({ dir });
      await sink.deliver({ ...buildDelivery('r1', [], 'report'), statusPage: '<!doctype html><p>run 1' });
      const statusPage = {
        async *pieces() {
          yield '<!doctype html>'.padEnd(70_000, ' ');
          throw new ScratchUnavailableError('/tmp/appgw-insights-run-x/1.txt', 'cannot read it: ENOENT');
        },
      };
      const error = await sink
        .deliver({ ...buildDelivery('r2', [], 'report'), statusPage })
        .catch((e: unknown) => e);
      expect(isScratchUnavailableError(error)).toBe(true);
      expect(await readFile(path.join(dir, 'index.html'), 'utf8')).toBe('<!doctype html><p>run 1');
      expect(temporaryFiles(await files(dir))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('report entries that cannot be read back: the scratch’s error; index.html written, the old report.json and this run’s results kept, no half file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      const sink = createFolderSink({ dir });
      await sink.deliver(buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'report'));
      const oldReport = await readFile(path.join(dir, 'report.json'), 'utf8');
      // Run r2: each gateway delivered as it is done, then its report, whose second entry cannot be read
      // (a read error on the run's temporary file: report-entries.ts).
      const specs = Array.from({ length: 40 }, (_, i) => ({
        gateway: gatewayRef(`gw-${i}`),
        unhealthy: ['10.0.0.4'],
      }));
      for (const spec of specs) await sink.deliver(buildDelivery('r2', [spec], 'gateway'));
      const whole = buildDelivery('r2', specs, 'report');
      const error = await sink
        .deliver({ ...withUnreadableEntry(whole, 30), statusPage: '<!doctype html><p>run 2' })
        .catch((e: unknown) => e);
      expect(isScratchUnavailableError(error)).toBe(true);
      expect((error as Error).message).toMatch(/cannot read it: EIO\. Check the disk that holds TMPDIR/);
      expect(await readFile(path.join(dir, 'report.json'), 'utf8')).toBe(oldReport);
      expect(await readFile(path.join(dir, 'index.html'), 'utf8')).toBe('<!doctype html><p>run 2');
      const left = await files(dir);
      expect(temporaryFiles(left)).toEqual([]);
      // Without report.json, the gateways' results are the run's only record: kept.
      expect(left.filter((f) => f.startsWith('runs/r2/gateways/'))).toHaveLength(40);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('two runs delivering their reports to one folder at once: report.json and index.html are one run’s, whole', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      const sizes = [3000, 200, 5];
      const deliveries = sizes.map((n, r) => ({
        ...buildDelivery(
          `r${r}`,
          Array.from({ length: n }, (_, i) => ({ gateway: gatewayRef(`gw-${i}`) })),
          'report',
        ),
        statusPage: `<!doctype html><p>run ${r}`.padEnd(n * 40, ' '),
      }));
      for (let round = 0; round < 3; round++) {
        // Each its own sink, as two processes have.
        const results = await Promise.allSettled(deliveries.map((d) => createFolderSink({ dir }).deliver(d)));
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
        const written = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8'));
        expect(sizes).toContain(written.gateways.length);
        expect(sizes.map((n) => n * 40)).toContain(
          (await readFile(path.join(dir, 'index.html'), 'utf8')).length,
        );
        expect(temporaryFiles(await files(dir))).toEqual([]);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each(['report.json', 'index.html'])(
    'a folder named %s: nothing temporary is left beside it',
    async (name) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
      try {
        await mkdir(path.join(dir, name, 'inside'), { recursive: true });
        const error = await createFolderSink({ dir })
          .deliver({ ...buildDelivery('r1', [], 'report'), statusPage: '<!doctype html><p>run 1' })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DeliveryError);
        expect(temporaryFiles(await readdir(dir))).toEqual([]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it('report.json that cannot be written: this run’s gateway results are kept, the rest written', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      const sink = createFolderSink({ dir });
      await sink.deliver(buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'gateway'));
      await mkdir(path.join(dir, 'report.json', 'inside'), { recursive: true });
      const error = await sink
        .deliver({
          ...buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'report'),
          statusPage: 'p',
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as Error).message).toMatch(/\(writing report\.json\)/);
      expect((error as Error).message).not.toMatch(/removing this run/);
      const left = await files(dir);
      expect(left.filter((f) => f.startsWith('runs/r1/gateways/'))).toHaveLength(1);
      expect(left).toContain('index.html');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('page delivery (fan-out, between discoveries): index.html only, nothing else touched', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      const sink = createFolderSink({ dir });
      await sink.deliver(buildDelivery('run-1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'gateway'));
      const before = await files(dir);
      const receipt = await sink.deliver({
        ...buildDelivery('run-1', [{ gateway: gw, unhealthy: ['10.0.0.5'] }], 'page'),
        insights: [],
        statusPage: '<!doctype html><p>again',
      });
      expect(await files(dir)).toEqual([...before, 'index.html'].sort());
      expect(await readFile(path.join(dir, 'index.html'), 'utf8')).toBe('<!doctype html><p>again');
      expect(receipt.locations).toEqual([path.join(dir, 'index.html')]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('report delivery (a direct run’s end): report.json written, the run’s gateway results removed, another run’s kept', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    const sink = createFolderSink({ dir });
    await sink.deliver(buildDelivery('other-run', [{ gateway: other, unhealthy: ['10.9.0.4'] }], 'gateway'));
    await sink.deliver(buildDelivery('run-1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'gateway'));
    expect(await files(dir)).toContain(`runs/run-1/gateways/${SUBSCRIPTION}/rg-web/gw.json`);
    const { report } = buildDelivery('run-1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }]);
    const receipt = await sink.deliver({ scope: 'report', report, insights: [] });
    expect(JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8'))).toEqual(report);
    expect(receipt.locations[0]).toBe(path.join(dir, 'report.json'));
    const after = await files(dir);
    expect(after.filter((f) => f.startsWith('runs/'))).toEqual([
      `runs/other-run/gateways/${SUBSCRIPTION}/rg-web/gw-2.json`,
    ]);
    expect(after.filter((f) => f.endsWith('.md'))).toHaveLength(2);
    // The last run's results gone, `runs/` goes too.
    const { report: last } = buildDelivery('other-run', [{ gateway: other, unhealthy: ['10.9.0.4'] }]);
    await sink.deliver({ scope: 'report', report: last, insights: [] });
    expect(await readdir(dir)).not.toContain('runs');
  });

  it('a run id from a queue message names no folder: nothing outside the sink’s folder is created or removed', async () => {
    const top = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    // Where `.staging-<runId>-<pid>` led for this run id, with something of someone else's in it.
    const bystander = path.join(top, `escape-${process.pid}`);
    await mkdir(bystander);
    await writeFile(path.join(bystander, 'keep.txt'), 'not ours');
    const sink = createFolderSink({ dir: path.join(top, 'out') });
    await sink.deliver(
      buildDelivery('a/../../escape', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'gateway'),
    );
    expect(await readFile(path.join(bystander, 'keep.txt'), 'utf8')).toBe('not ours');
    expect((await files(top)).filter((f) => !f.startsWith(`out${path.sep}`))).toEqual([
      path.join(`escape-${process.pid}`, 'keep.txt'),
    ]);
  });

  it('the gateways of one run delivered at once (a Function App instance’s queue invocations) all land', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    const sink = createFolderSink({ dir });
    // Different sizes, so that one delivery finishes while the others are still writing.
    const deliveries = Array.from({ length: 6 }, (_, i) =>
      buildDelivery(
        'run-1',
        [
          {
            gateway: gatewayRef(`gw-${i}`),
            unhealthy: Array.from({ length: 1 + 6 * i }, (_, j) => `10.0.${i}.${j}`),
          },
        ],
        'gateway',
      ),
    );
    const outcomes = await Promise.allSettled(deliveries.map((d) => sink.deliver(d)));
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect((await files(dir)).filter((f) => f.endsWith('.md'))).toHaveLength(
      deliveries.flatMap((d) => d.insights).length,
    );
    expect((await readdir(dir)).filter((f) => f.startsWith('.staging'))).toEqual([]);
  });

  it('folders removed between deliveries (the sink’s own, a gateway’s parents) are made again', async () => {
    const top = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      const dir = path.join(top, 'out');
      const sink = createFolderSink({ dir });
      await sink.deliver(buildDelivery('run-1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }], 'gateway'));
      await rm(path.join(dir, 'insights'), { recursive: true });
      await rm(path.join(dir, 'runs'), { recursive: true });
      await sink.deliver(buildDelivery('run-1', [{ gateway: other, unhealthy: ['10.9.0.4'] }], 'gateway'));
      expect(await files(dir)).toEqual([
        expect.stringMatching(new RegExp(`^insights/${SUBSCRIPTION}/rg-web/gw-2/.*10\\.9\\.0\\.4.*\\.html$`)),
        expect.stringMatching(new RegExp(`^insights/${SUBSCRIPTION}/rg-web/gw-2/.*10\\.9\\.0\\.4.*\\.md$`)),
        `runs/run-1/gateways/${SUBSCRIPTION}/rg-web/gw-2.json`,
        ...[statusInsightPath(finding(gw, '10.0.0.4')), statusInsightPath(finding(other, '10.9.0.4'))].sort(),
      ]);
      await rm(dir, { recursive: true });
      await sink.deliver(buildDelivery('run-2', [{ gateway: gw, unhealthy: ['10.0.0.5'] }]));
      expect(await files(dir)).toEqual([
        expect.stringMatching(new RegExp(`^insights/${SUBSCRIPTION}/rg-web/gw/.*10\\.0\\.0\\.5.*\\.html$`)),
        expect.stringMatching(new RegExp(`^insights/${SUBSCRIPTION}/rg-web/gw/.*10\\.0\\.0\\.5.*\\.md$`)),
        'report.json',
        statusInsightPath(finding(gw, '10.0.0.5')),
      ]);
    } finally {
      await rm(top, { recursive: true, force: true });
    }
  });

  it('a gateway’s insights folder has the mode any new folder gets (the umask’s), not a temp folder’s 0700', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      await createFolderSink({ dir }).deliver(
        buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }]),
      );
      await mkdir(path.join(dir, 'plain'));
      const mode = async (folder: string) => (await stat(path.join(dir, folder))).mode & 0o777;
      expect(await mode(`insights/${SUBSCRIPTION}/rg-web/gw`)).toBe(await mode('plain'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a folder it cannot write is a DeliveryError naming the folder', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    const notAFolder = path.join(dir, 'file');
    await writeFile(notAFolder, 'x'); // even root cannot create a folder inside a file
    const error = await createFolderSink({ dir: path.join(notAFolder, 'out') })
      .deliver(buildDelivery('r1', [{ gateway: gw, unhealthy: ['10.0.0.4'] }]))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).toContain(path.join(notAFolder, 'out'));
  });
});

describe('folder sink: a folder it cannot write says why in words and what to do, never a random name', () => {
  const IN_THE_WAY =
    'Move what is in the way out of that folder (appgw-insights writes report.json, index.html, insights/, s/ and runs/ there), or set sinks.dir (APPGW_SINKS_DIR) to another folder';
  /** The message of a gateway delivery (one unhealthy server: insights, s/ copies, runs/) into `dir`. */
  const deliveredGateway = (dir: string) =>
    createFolderSink({ dir })
      .deliver(buildDelivery('r1', [{ gateway: gatewayRef('gw'), unhealthy: ['10.0.0.4'] }], 'gateway'))
      .then(
        () => '(delivered)',
        (e: Error) => e.message,
      );

  // The other kinds of a trial's "a link to nothing at insights said 'the folder cannot be made there
  // (ENOENT)' and advised permissions", and its bare ELOOP: each thing in the way, named for what it is.
  it.each([
    [
      'a link to nothing',
      'insights',
      async (at: string) => symlink('/nonexistent/appgw', at),
      'a link to nothing is where a folder should be (the link "insights" in it) (EEXIST)',
    ],
    [
      'a link to nothing',
      'runs',
      async (at: string) => symlink('/nonexistent/appgw', at),
      'a link to nothing is where a folder should be (the link "runs" in it)',
    ],
    [
      'a link to nothing',
      's',
      async (at: string) => symlink('/nonexistent/appgw', at),
      'a link to nothing is where a folder should be (the link "s" in it)',
    ],
    [
      'a link to itself',
      'insights',
      async (at: string) => symlink('insights', at),
      'a link that never ends (a loop, or too many links in a row) is where a folder should be (the link "insights" in it) (ELOOP)',
    ],
    [
      'a link to a file',
      'insights',
      async (at: string) => {
        await writeFile(`${at}-file`, 'x');
        await symlink(`${at}-file`, at);
      },
      'a link to a file is where a folder should be (the link "insights" in it)',
    ],
    [
      'a file',
      's',
      async (at: string) => writeFile(at, 'x'),
      'a file is where a folder should be (the file "s" in it)',
    ],
  ])('%s at %s: named, and the advice is to move it', async (_, name, make, said) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      await make(path.join(dir, name));
      const message = await deliveredGateway(dir);
      expect(message).toContain(said);
      expect(message).toContain(IN_THE_WAY);
      expect(message).not.toMatch(/let the account|cannot be made|staging/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('insights/ linked to another file system: the link is named, EXDEV said in words, and the last good run’s insights kept (trials: a bare EXDEV; all 24 files removed)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    const elsewhere = await mkdtemp('/dev/shm/appgw-folder-');
    try {
      // The case needs two file systems: the temp folder's and /dev/shm (a tmpfs).
      expect((await stat(elsewhere)).dev).not.toBe((await stat(dir)).dev);
      // A good run's insights, then moved to the other disk and linked back.
      expect(await deliveredGateway(dir)).toBe('(delivered)');
      await cp(path.join(dir, 'insights'), elsewhere, { recursive: true });
      await rm(path.join(dir, 'insights'), { recursive: true });
      await symlink(elsewhere, path.join(dir, 'insights'));
      const before = await files(elsewhere);
      expect(before.filter((f) => f.endsWith('.md'))).toHaveLength(1);
      const message = await deliveredGateway(dir);
      expect(message).toContain(
        'the link "insights" in it is on another file system (a link or a mount), and what is written in the folder is moved into place, which cannot cross file systems (EXDEV)',
      );
      expect(message).toContain(IN_THE_WAY);
      expect(await files(elsewhere)).toEqual(before);
      expect((await readdir(dir)).filter((name) => name.startsWith('.staging-'))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('a gateway’s folder replaced while another delivery of it put one in between: the last one wins, nothing left aside', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      const sink = createFolderSink({ dir });
      const gateway = gatewayRef('gw');
      const deliveries = Array.from({ length: 6 }, (_, i) =>
        buildDelivery(`r${i}`, [{ gateway, unhealthy: [`10.0.0.${i + 1}`] }], 'gateway'),
      );
      const settled = await Promise.allSettled(deliveries.map((d) => sink.deliver(d)));
      expect(settled.filter((r) => r.status === 'rejected')).toEqual([]);
      const md = (await files(path.join(dir, 'insights'))).filter((f) => f.endsWith('.md'));
      expect(md).toHaveLength(1); // one delivery's folder, whole: never two runs' files mixed
      expect((await readdir(dir)).filter((name) => name.startsWith('.staging-'))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a link loop where runs/ should be: the report delivery writes report.json and says nothing more (trial: said twice)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    try {
      await symlink('runs', path.join(dir, 'runs'));
      const delivery = { ...buildDelivery('r1', [{ gateway: gatewayRef('gw') }], 'report'), insights: [] };
      await expect(createFolderSink({ dir }).deliver(delivery)).resolves.toMatchObject({
        locations: expect.arrayContaining([path.join(dir, 'report.json')]),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a full disk alone is retryable (the next delivery may find space), with the space advice alone', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    const full = await pageOnFullDisk(dir);
    try {
      const error = await deliverFullPage(dir);
      expect(error).toMatchObject({ retryable: true });
      expect((error as Error).message).toMatch(
        /no space left \(ENOSPC\) \(writing index\.html\)\. Free some space on its file system; the next run writes it again\.?$/,
      );
    } finally {
      full.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('two kinds at once (a folder in the way, a full disk): the advice of each (trial: the move advice was dropped)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
    // The page's pieces meet a full disk; report.json meets a folder in its place.
    const full = await pageOnFullDisk(dir);
    try {
      await mkdir(path.join(dir, 'report.json'));
      const error = await deliverFullPage(dir);
      const message = (error as Error).message;
      expect(message).toContain(
        'a folder is where a file should be (the folder "report.json" in it) (EISDIR) (writing report.json)',
      );
      expect(message).toContain('no space left (ENOSPC) (writing index.html)');
      expect(message).toContain(IN_THE_WAY);
      expect(message).toContain('Free some space on its file system; the next run writes it again');
      expect(message).not.toContain('let the account');
      // A folder in the way stays in the way: not retryable, whatever else failed.
      expect(error).toMatchObject({ retryable: false });
    } finally {
      full.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a refusal with nothing in the way (a folder that cannot be made) gives the access advice', async () => {
    // /proc answers ENOENT to mkdir: no file in the way, so moving one is not the advice.
    const dir = `/proc/appgw-no-such-${process.pid}/out`;
    const advice = { access: 'Let them write, or pick another', inTheWay: 'Move it away' };
    const error = await createFolderSink({ dir, advice })
      .deliver(buildDelivery('r1', [{ gateway: gatewayRef('gw'), unhealthy: ['10.0.0.4'] }]))
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).toContain('the folder cannot be made there (ENOENT)');
    expect((error as Error).message).toContain('Let them write, or pick another.');
    expect((error as Error).message).not.toContain('Move it away');
  });

  const demoAdvice = { access: 'Choose another folder with --out', inTheWay: 'Move it, or use --out' };
  it.each([
    [
      'the config (run)',
      undefined,
      'Move what is in the way out of that folder (appgw-insights writes report.json, index.html, insights/, s/ and runs/ there), or set sinks.dir (APPGW_SINKS_DIR) to another folder.',
    ],
    ['the demo', demoAdvice, 'Move it, or use --out.'],
  ])(
    'a file where the folder is, advice of %s; the same message for every gateway',
    async (_, advice, said) => {
      const temp = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-'));
      try {
        const dir = path.join(temp, 'F');
        await writeFile(dir, 'x');
        const sink = createFolderSink({ dir, ...(advice ? { advice } : {}) });
        const messages = new Set<string>();
        for (const name of ['gw', 'gw-2']) {
          const error = await sink
            .deliver(buildDelivery('r1', [{ gateway: gatewayRef(name), unhealthy: ['10.0.0.4'] }]))
            .then(
              () => undefined,
              (e: Error) => e,
            );
          expect(error).toBeInstanceOf(DeliveryError);
          messages.add((error as Error).message);
        }
        expect([...messages]).toHaveLength(1);
        const [message] = messages;
        expect(message).toContain(
          `cannot write to ${dir}: a file is where a folder should be (it is a file) (ENOTDIR)`,
        );
        expect(message).toContain(said);
        // A file in the way is moved, not given permissions (the access advice is for EACCES and the like).
        expect(message).not.toMatch(/let the account|Choose another folder/i);
        expect(message).not.toMatch(/staging|mkdir '/);
      } finally {
        await rm(temp, { recursive: true, force: true });
      }
    },
  );
});
