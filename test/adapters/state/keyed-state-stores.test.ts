import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  createBlobStateStores,
  createFileStateStores,
  documentName,
  fileDocumentName,
  keyOfDocument,
} from '../../../src/adapters/state/keyed-state-stores';
import { connectBlobService } from '../../../src/adapters/storage/blob-client';
import { gatewayKey } from '../../../src/core/arm-id';
import type { StateStores } from '../../../src/ports';
import { StateUnavailableError } from '../../../src/errors';
import { startAzurite, type Azurite } from '../../helpers/azurite';
import { closedPort } from '../../helpers/closed-port';
import { rejection } from '../../helpers/failures';

const key = (sub: string, rg: string, gw: string) =>
  gatewayKey(
    `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/applicationGateways/${gw}`,
  );

describe('documentName / keyOfDocument', () => {
  it('names a gateway document <sub>/<rg>/<gateway>.json and reads the key back', () => {
    const k = key('S1', 'rg-Prod', 'appgw-1');
    expect(documentName(k)).toBe('s1/rg-prod/appgw-1.json');
    expect(keyOfDocument(documentName(k))).toBe(k);
  });

  it('round-trips any names, and a document name never escapes its folder', () => {
    const segment = fc.string({ minLength: 1 }).filter((s) => !s.includes('/'));
    fc.assert(
      fc.property(segment, segment, segment, (sub, rg, gw) => {
        const k = key(sub, rg, gw);
        const name = documentName(k);
        expect(keyOfDocument(name)).toBe(k);
        expect(name.split('/')).toHaveLength(3);
        expect(name.split('/').some((part) => part === '..' || part === '.')).toBe(false);
      }),
    );
  });

  it.each(['%zz/rg/gw.json', 'sub/rg%E0%A4%A/gw.json', 'a/b.json', 'a/b/c/d.json', 'sub//gw.json'])(
    'a name it cannot have made (%s) is no key, never an exception',
    (name) => {
      expect(keyOfDocument(name)).toBeUndefined();
    },
  );
});

function describeKeyedStores(name: string, make: () => Promise<StateStores<{ n: number }>>) {
  describe(name, () => {
    it('keeps one document per key, independent of each other, and lists their keys', async () => {
      const stores = await make();
      expect(await stores.listKeys()).toEqual([]);
      const a = key('s', 'rg', 'gw-a');
      const b = key('s', 'rg', 'gw-b');
      const etagA = await stores.forKey(a).write({ n: 1 }, undefined);
      await stores.forKey(b).write({ n: 2 }, undefined);
      // Writers of different gateways never conflict; the same key keeps its optimistic concurrency.
      await stores.forKey(a).write({ n: 3 }, etagA);
      await expect(stores.forKey(a).write({ n: 4 }, etagA)).rejects.toMatchObject({ code: 'StateConflict' });
      expect((await stores.forKey(a).read())?.value).toEqual({ n: 3 });
      expect((await stores.forKey(b).read())?.value).toEqual({ n: 2 });
      expect((await stores.listKeys()).sort()).toEqual([a, b]);
    });
  });
}

describeKeyedStores('file state stores', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-keyed-'));
  return createFileStateStores({ dir });
});

describe('file state stores layout', () => {
  it('are files a human can find: <dir>/<sub>/<rg>/<gateway>.json, no lock left behind', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-keyed-'));
    try {
      await createFileStateStores<{ n: number }>({ dir })
        .forKey(key('sub', 'rg', 'gw'))
        .write({ n: 1 }, undefined);
      expect(await readdir(dir, { recursive: true })).toEqual(
        expect.arrayContaining([path.join('sub', 'rg', 'gw.json')]),
      );
      expect((await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.lock'))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('listing the keys removes what a killed write left over an hour ago (its temporary file, its lock’s token file, a stale lock moved aside), never a young one, nor a file it did not make (new-user trial)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-keyed-'));
    try {
      const stores = createFileStateStores<{ n: number }>({ dir });
      await stores.forKey(key('sub', 'rg', 'gw')).write({ n: 1 }, undefined);
      const at = (name: string) => path.join(dir, 'sub', 'rg', name);
      const uuid = '0b6e1f9c-3d2a-4c5e-9f10-2a3b4c5d6e7f';
      const left = [
        at(`gw.json.4242.${uuid}.tmp`),
        at(`gw.json.lock.4242.${uuid}.tmp`),
        at(`gw.json.lock.stale-${uuid}`),
      ];
      const young = at(`other.json.4243.${uuid}.tmp`);
      // Named as a killed write's, but not where the store writes documents (a break trial's were removed).
      await mkdir(path.join(dir, 'backup'));
      const notOurs = [
        at('gw.json.notes.tmp'),
        at('notes.tmp'),
        at(`gw.json.lock`),
        path.join(dir, `notes.json.1.${uuid}.tmp`),
        path.join(dir, 'backup', `silences.json.lock.stale-${uuid}`),
        path.join(dir, 'sub', `rg.json.1.${uuid}.tmp`),
      ];
      for (const file of [...left, young, ...notOurs]) await writeFile(file, 'left');
      const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
      for (const file of [...left, ...notOurs]) await utimes(file, twoHoursAgo, twoHoursAgo);
      expect(await stores.listKeys()).toEqual([key('sub', 'rg', 'gw')]);
      expect((await readdir(path.join(dir, 'sub', 'rg'))).sort()).toEqual(
        ['gw.json', path.basename(young), ...notOurs.slice(0, 3).map((file) => path.basename(file))].sort(),
      );
      for (const file of notOurs.slice(3)) expect(existsSync(file)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Resource group names may hold any Unicode letter (up to 90 characters); percent-encoded, 28 CJK
 * letters are more than a folder name may be (255 bytes). A break trial found such a group's gateways'
 * notify state and history refused on every run (ENAMETOOLONG): none of their notices ever went out.
 */
describe('file state stores: names longer than a file name may be once percent-encoded', () => {
  const japanese = '本番環境-アプリケーションゲートウェイ-東日本リージョン-共有サービス'; // 35 characters
  const bytesOf = (name: string) => Buffer.byteLength(name, 'utf8');
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-keyed-long-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['35 CJK letters', japanese],
    ['85 CJK letters (255 bytes)', '東'.repeat(85)],
    ['75 characters, 40 of them ä', `${'ä'.repeat(40)}${'x'.repeat(35)}`],
    ['90 letters with combining marks', 'e\u0301'.repeat(45)],
  ])('%s: the group keeps its letters, each name fits, the key reads back', (_, group) => {
    const k = key('0000-sub', group, 'appgw-jp');
    expect(bytesOf(encodeURIComponent(group.toLowerCase()))).toBeGreaterThan(255);
    const name = fileDocumentName(k);
    expect(name.split('/')[1]).toBe(group.toLowerCase());
    expect(name.split('/').every((part) => bytesOf(part) <= 255)).toBe(true);
    expect(keyOfDocument(name)).toBe(k);
  });

  it('a name that fits percent-encoded keeps that name (no document already written moves)', () => {
    const segment = fc
      .string({ minLength: 1, maxLength: 25, unit: 'binary' })
      .filter((s) => !s.includes('/'));
    fc.assert(
      fc.property(segment, segment, segment, (sub, rg, gw) => {
        const k = key(sub, rg, gw);
        fc.pre(
          documentName(k)
            .split('/')
            .every((part) => part.length <= 190),
        );
        expect(fileDocumentName(k)).toBe(documentName(k));
      }),
    );
  });

  it('property: any group of up to 90 letters, digits and marks reads back, and never leaves its folder', () => {
    const letter = fc.constantFrom(
      'a',
      'Z',
      '9',
      '_',
      '.',
      '-',
      '(',
      ')',
      'ä',
      'ß',
      'ж',
      '東',
      'ア',
      '\u0301',
      '𠀋',
    );
    fc.assert(
      fc.property(fc.array(letter, { minLength: 1, maxLength: 90 }), (chars) => {
        const k = key('sub', chars.join(''), 'gw');
        const name = fileDocumentName(k);
        expect(keyOfDocument(name)).toBe(k);
        expect(name.split('/')).toHaveLength(3);
        expect(name.split('/').some((part) => part === '..' || part === '.')).toBe(false);
      }),
    );
  });

  it('a gateway in a group of 35 CJK letters: its state is written, read, listed; its neighbours too', async () => {
    const stores = createFileStateStores<{ n: number }>({ dir });
    const jp = key('sub', japanese, 'appgw-jp');
    const other = key('sub', 'rg', 'gw');
    const etag = await stores.forKey(jp).write({ n: 1 }, undefined);
    await stores.forKey(other).write({ n: 2 }, undefined);
    expect(await stores.forKey(jp).read()).toEqual({ value: { n: 1 }, etag });
    expect((await stores.listKeys()).sort()).toEqual([jp, other].sort());
    expect(await readdir(path.join(dir, 'sub'))).toEqual(expect.arrayContaining([japanese.toLowerCase()]));
  });

  it('a name too long even so: a StateUnavailableError saying what to do; the other gateways are kept', async () => {
    const stores = createFileStateStores<{ n: number }>({ dir });
    const tooLong = key('sub', 'rg', 'g'.repeat(300));
    const error = await rejection(stores.forKey(tooLong).write({ n: 1 }, undefined));
    expect(error).toBeInstanceOf(StateUnavailableError);
    expect((error as Error).message).toMatch(
      /longer than the file system allows \(255 bytes\) \(ENAMETOOLONG\)/,
    );
    expect((error as Error).message).toMatch(/blob storage \("state\.blob"/);
    await stores.forKey(key('sub', 'rg', 'gw')).write({ n: 2 }, undefined);
    expect(await stores.listKeys()).toEqual([key('sub', 'rg', 'gw')]);
  });
});

describe('listing keys through links (break trials)', () => {
  it('two links to the state folder itself: the listing ends; a subscription folder linked from elsewhere is listed, and nothing there is tidied', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-keyed-links-'));
    try {
      const dir = path.join(tmp, 'state');
      const elsewhere = path.join(tmp, 'other-disk', 'rg');
      await mkdir(elsewhere, { recursive: true });
      const stores = createFileStateStores<{ n: number }>({ dir });
      await stores.forKey(key('sub', 'rg', 'gw')).write({ n: 1 }, undefined);
      // Node's recursive readdir followed these for ever (every run's end hung).
      await symlink('.', path.join(dir, 'a'));
      await symlink('.', path.join(dir, 'b'));
      // Part of the state kept on another disk (a trial): its notices must still be listed.
      await symlink(path.join(tmp, 'other-disk'), path.join(dir, 'sub2'));
      const linkedDocument = path.join(elsewhere, 'gw.json');
      const linkedLeft = path.join(elsewhere, 'gw.json.4242.0b6e1f9c-3d2a-4c5e-9f10-2a3b4c5d6e7f.tmp');
      for (const file of [linkedDocument, linkedLeft]) await writeFile(file, '{}');
      const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
      await utimes(linkedLeft, twoHoursAgo, twoHoursAgo);
      expect((await stores.listKeys()).sort()).toEqual(
        [key('sub', 'rg', 'gw'), key('sub2', 'rg', 'gw')].sort(),
      );
      expect((await readdir(elsewhere)).sort()).toEqual(
        [path.basename(linkedDocument), path.basename(linkedLeft)].sort(),
      );
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

// A break trial: a link where one gateway's lock should be failed the whole listing (every gateway's
// notices unknown, nothing tidied), and one to a folder was walked on every run (/usr, or all of /).
describe("links where a document, its lock or a killed write's file should be are not followed", () => {
  it.each<[string, (at: string, elsewhere: string) => Promise<void>]>([
    ['a link to nothing', (at) => symlink('/nonexistent/appgw-disk', at)],
    ['a link that never ends', (at) => symlink(at, at)],
    ['a link to a folder elsewhere', (at, elsewhere) => symlink(elsewhere, at)],
  ])(
    '%s at a lock, a document or the top-level silences.json.lock: the listing lists the keys',
    async (_, make) => {
      const tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-keyed-lock-links-'));
      try {
        const dir = path.join(tmp, 'state');
        // A folder a walk must never enter: what it holds fails any listing that reaches it.
        const elsewhere = path.join(tmp, 'elsewhere', 'deep');
        await mkdir(elsewhere, { recursive: true });
        await symlink('/nonexistent/appgw-elsewhere', path.join(elsewhere, 'trap'));
        const stores = createFileStateStores<{ n: number }>({ dir });
        await stores.forKey(key('sub', 'rg', 'gw')).write({ n: 1 }, undefined);
        await mkdir(path.join(dir, 'history', 'sub', 'rg'), { recursive: true });
        for (const at of [
          path.join(dir, 'sub', 'rg', 'gw.json.lock'),
          path.join(dir, 'sub', 'rg', 'other.json'),
          path.join(dir, 'silences.json.lock'),
          path.join(dir, 'history', 'sub', 'rg', 'gw.json.lock'),
        ])
          await make(at, path.join(tmp, 'elsewhere'));
        expect((await stores.listKeys()).sort()).toEqual(
          [key('sub', 'rg', 'gw'), key('sub', 'rg', 'other')].sort(),
        );
        // The document that is a link says so when it is read, for itself alone.
        const linked = await rejection(stores.forKey(key('sub', 'rg', 'other')).read());
        expect(linked).toBeInstanceOf(StateUnavailableError);
        await expect(stores.forKey(key('sub', 'rg', 'gw')).read()).resolves.toMatchObject({
          value: { n: 1 },
        });
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
  );
});

describe('listing keys through links that cannot be followed, or a state folder that is a link (new-user trial)', () => {
  it.each([
    ['a link to nothing (its disk not mounted)', (at: string) => symlink('/nonexistent/appgw-disk', at)],
    ['a link that never ends', (at: string) => symlink(at, at)],
  ])(
    'a subscription folder that is %s: the listing fails naming it, never "no documents"',
    async (_, make) => {
      const tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-keyed-unreachable-'));
      try {
        const dir = path.join(tmp, 'state');
        const stores = createFileStateStores<{ n: number }>({ dir });
        await stores.forKey(key('sub', 'rg', 'gw')).write({ n: 1 }, undefined);
        const link = path.join(dir, 'sub2');
        await make(link);
        const error = await rejection(stores.listKeys());
        expect(error).toBeInstanceOf(StateUnavailableError);
        expect((error as Error).message).toContain(`(the link ${link})`);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
  );

  // A final break trial: `history` linked to nothing listed no history, and the status page that
  // showed three servers not healthy was replaced by an empty one.
  it('a state folder that is itself a link to nothing: the listing fails naming it, never "no documents"', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-keyed-rootdangling-'));
    try {
      const dir = path.join(tmp, 'history');
      await symlink('/nonexistent/appgw-disk', dir);
      const error = await rejection(createFileStateStores<{ n: number }>({ dir }).listKeys());
      expect(error).toBeInstanceOf(StateUnavailableError);
      // No folder at all is still no state yet.
      await expect(
        createFileStateStores<{ n: number }>({ dir: path.join(tmp, 'none') }).listKeys(),
      ).resolves.toEqual([]);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  // A final break trial: a plain file where a subscription's folder under `history` should be was
  // skipped, so that subscription's gateways were not listed and the published status page went empty.
  const SUB = '0f0e0d0c-1111-4222-8333-444455556666';
  it.each<[string, 'file' | 'link', (at: string, tmp: string) => Promise<void>]>([
    ["a file where a subscription's folder should be", 'file', (at) => writeFile(at, 'moved')],
    [
      "a link to a file where a subscription's folder should be",
      'link',
      async (at, tmp) => {
        await writeFile(path.join(tmp, 'a-file'), '');
        await symlink(path.join(tmp, 'a-file'), at);
      },
    ],
  ])('%s: the listing fails naming it, never "no documents"', async (_, kind, make) => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-keyed-file-in-place-'));
    try {
      const dir = path.join(tmp, 'history');
      const stores = createFileStateStores<{ n: number }>({ dir });
      await stores.forKey(key('0a0b0c0d-1111-4222-8333-444455556666', 'rg', 'gw')).write({ n: 1 }, undefined);
      const at = path.join(dir, SUB);
      await make(at, tmp);
      const error = await rejection(stores.listKeys());
      expect(error).toBeInstanceOf(StateUnavailableError);
      expect((error as Error).message).toContain(`(the ${kind} ${at}) (ENOTDIR)`);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it("a user's own files beside the documents are listed past: no folder of the state is in their place", async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-keyed-own-files-'));
    try {
      const dir = path.join(tmp, 'history');
      const stores = createFileStateStores<{ n: number }>({ dir });
      const gateway = key(SUB, 'rg', 'gw');
      await stores.forKey(gateway).write({ n: 1 }, undefined);
      await writeFile(path.join(dir, 'README.md'), 'ours');
      await writeFile(path.join(dir, 'sub'), 'not a subscription id');
      // A second break trial: any of these in a subscription's folder failed every run (a resource
      // group may have any of their names).
      for (const name of [
        '.DS_Store',
        'notes.json',
        'README.md',
        'Thumbs.db',
        'desktop.ini',
        'rg-prod-weu.zip',
      ])
        await writeFile(path.join(dir, SUB, name), '');
      expect(await stores.listKeys()).toEqual([gateway]);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('a history folder that is itself a link elsewhere: listed, and nothing behind it tidied', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-keyed-rootlink-'));
    try {
      const elsewhere = path.join(tmp, 'elsewhere');
      await mkdir(path.join(elsewhere, 'sub', 'rg'), { recursive: true });
      await symlink(elsewhere, path.join(tmp, 'history'));
      const stores = createFileStateStores<{ n: number }>({ dir: path.join(tmp, 'history') });
      await stores.forKey(key('sub', 'rg', 'gw')).write({ n: 1 }, undefined);
      const left = path.join(elsewhere, 'sub', 'rg', 'gw.json.4242.0b6e1f9c-3d2a-4c5e-9f10-2a3b4c5d6e7f.tmp');
      await writeFile(left, '{}');
      const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
      await utimes(left, twoHoursAgo, twoHoursAgo);
      expect(await stores.listKeys()).toEqual([key('sub', 'rg', 'gw')]);
      expect(await readdir(path.join(elsewhere, 'sub', 'rg'))).toContain(path.basename(left));
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

describe('listing keys that cannot be listed', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'appgw-keyed-'));
  });
  afterAll(() => rm(tmp, { recursive: true, force: true }));

  it('skips a foreign file in the state folder whose name is not a document name', async () => {
    const dir = path.join(tmp, 'foreign');
    await mkdir(path.join(dir, 's', 'rg'), { recursive: true });
    await writeFile(path.join(dir, 's', 'rg', '%zz.json'), '{}');
    await createFileStateStores<{ n: number }>({ dir })
      .forKey(key('s', 'rg', 'gw'))
      .write({ n: 1 }, undefined);
    await expect(createFileStateStores({ dir }).listKeys()).resolves.toEqual([key('s', 'rg', 'gw')]);
  });

  it('a state folder that is a file: StateUnavailableError naming the folder, and the file', async () => {
    const dir = path.join(tmp, 'a-file');
    await writeFile(dir, 'not a folder');
    const error = await rejection(createFileStateStores({ dir }).listKeys());
    expect(error).toBeInstanceOf(StateUnavailableError);
    expect(error).toMatchObject({ document: `state folder ${dir}` });
    expect((error as Error).message).toContain(
      `a file is where a folder of its path should be (the file ${dir}) (ENOTDIR)`,
    );
  });

  it('a storage account that is down: StateUnavailableError naming the container, retryable', async () => {
    const client = connectBlobService(
      {
        connectionString:
          `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${Buffer.from('k').toString('base64')};` +
          `BlobEndpoint=http://127.0.0.1:${await closedPort()}/devstoreaccount1;`,
      },
      { httpOptions: { maxRetries: 0 } },
    );
    const error = await rejection(createBlobStateStores({ client, container: 'appgw-state' }).listKeys());
    expect(error).toBeInstanceOf(StateUnavailableError);
    expect(error).toMatchObject({ retryable: true, document: 'container appgw-state (blobs under notify/)' });
  });
});

describe('blob state stores (Azurite)', () => {
  let azurite: Azurite;
  let n = 0;
  beforeAll(async () => {
    azurite = await startAzurite();
  }, 60_000);
  afterAll(() => azurite?.stop());

  describeKeyedStores('blob state stores', async () => {
    const client = connectBlobService({ connectionString: azurite.connectionString });
    return createBlobStateStores({ client, container: `state-${++n}`, prefix: 'notify/' });
  });
});
