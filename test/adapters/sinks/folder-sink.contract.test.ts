import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFolderSink } from '../../../src/adapters/sinks/folder-sink';
import { describeSinkContract } from '../contract/sink.contract';

const temps: string[] = [];
afterAll(() => Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'appgw-folder-contract-'));
  temps.push(dir);
  return dir;
}

/** Every file under `top`, path with `/` → text. */
async function filesUnder(top: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(top, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files.set(path.relative(top, file).split(path.sep).join('/'), await readFile(file, 'utf8'));
  }
  return files;
}

describeSinkContract('folder', {
  secrets: [],
  async make() {
    const top = await tempDir();
    return {
      sink: createFolderSink({ dir: path.join(top, 'out') }),
      files: () => filesUnder(top),
      root: 'out/',
      current: '',
    };
  },
  async broken() {
    const top = await tempDir();
    await writeFile(path.join(top, 'file'), 'a file, not a folder'); // even root cannot write inside it
    return { sink: createFolderSink({ dir: path.join(top, 'file', 'out') }), secrets: [] };
  },
});
