import path from 'node:path';
import { SINK_ENTRIES } from '../adapters/sinks/folder-entries';
import type { FolderSinkAdvice } from '../adapters/sinks/folder-sink';
import type { StateFolderAdvice } from '../adapters/state/file-state-store';
import { DEFAULT_DIRS } from './schema';

type Env = Readonly<Record<string, string | undefined>>;

/** The folders a run writes: the folder sink's (insights, report.json, the status page) and the state's. */
export type FolderKey = 'sinks' | 'state';

/**
 * Where a folder came from, so a failure to write it names the thing the user set (or did not):
 * a flag (`run --out DIR`, `evaluate --out DIR`), `sinks.dir`/`state.dir` in a config file, or the
 * APPGW_* setting of the environment (the Functions app's app settings, `run` without `--config`).
 * `isDefault`: the folder is the key's default (`out`, `.appgw-state`): unset, or set to it.
 */
export type FolderOrigin =
  | { readonly by: 'flag'; readonly flag: string }
  | { readonly by: 'file'; readonly key: FolderKey; readonly file: string; readonly isDefault: boolean }
  | { readonly by: 'env'; readonly key: FolderKey; readonly isDefault: boolean };

const ENV_NAMES: Readonly<Record<FolderKey, string>> = {
  sinks: 'APPGW_SINKS_DIR',
  state: 'APPGW_STATE_DIR',
};

/**
 * The origin of `dir`, the config file `file`'s `key.dir` as loaded (absolute, load.ts resolvePaths):
 * the default when it is the default's folder beside the file.
 */
function fileFolderOrigin(key: FolderKey, file: string, dir: string): FolderOrigin {
  const resolved = path.resolve(file);
  const isDefault = path.resolve(dir) === path.resolve(path.dirname(resolved), DEFAULT_DIRS[key]);
  return { by: 'file', key, file: resolved, isDefault };
}

/** The origin of `key.dir` read from the APPGW_* settings in `env` (config/app-settings.ts). */
function envFolderOrigin(key: FolderKey, env: Env): FolderOrigin {
  return { by: 'env', key, isDefault: !env[ENV_NAMES[key]]?.trim() };
}

/**
 * The origin in words: `--out`, `sinks.dir in /etc/appgw.json` (`…, the default out beside it`),
 * `APPGW_STATE_DIR` (`APPGW_STATE_DIR, not set: the default .appgw-state`).
 */
function folderOriginText(origin: FolderOrigin): string {
  switch (origin.by) {
    case 'flag':
      return origin.flag;
    case 'file':
      return `${origin.key}.dir in ${origin.file}${origin.isDefault ? `, the default ${DEFAULT_DIRS[origin.key]} beside it` : ''}`;
    case 'env':
      return `${ENV_NAMES[origin.key]}${origin.isDefault ? `, not set: the default ${DEFAULT_DIRS[origin.key]}` : ''}`;
  }
}

/** What to change for another folder, `what` being the folder wanted ("a writable folder"). */
function pointAt(origin: FolderOrigin, what: string): string {
  switch (origin.by) {
    case 'flag':
      return `give ${what} with ${origin.flag}`;
    case 'file':
      return `set ${origin.key}.dir in ${origin.file} to ${what}`;
    case 'env':
      return `set ${ENV_NAMES[origin.key]} to ${what}`;
  }
}

/**
 * FolderSinkOptions.advice for the folder sink's folder from `origin` (each one sentence, no full
 * stop): the folder's origin and the setting to change, never another one (`--out` replaced
 * `sinks.dir`).
 */
export function folderSinkAdvice(origin: FolderOrigin): FolderSinkAdvice {
  const where = `The folder is ${folderOriginText(origin)}`;
  const elsewhere = pointAt(origin, 'another folder');
  return {
    access: `${where}: let the account that runs appgw-insights write there, or ${elsewhere}`,
    inTheWay: `${where}: move what is in the way out of it (appgw-insights writes ${SINK_ENTRIES} there), or ${elsewhere}`,
    elsewhere,
  };
}

/** The state files' advice (file-state-store.ts) for the state folder from `origin`. */
export function stateFolderAdvice(origin: FolderOrigin): StateFolderAdvice {
  const where = `the state folder (${folderOriginText(origin)})`;
  return {
    access:
      `Give the account that runs appgw-insights read and write access to ${where} and everything in ` +
      `it, or ${pointAt(origin, 'a folder it owns')}.`,
    folderInTheWay: `Move that folder away: ${where} holds one JSON file per gateway.`,
    // Said of a file or link at the folder itself or inside it (a file called `history`): pointing the
    // folder elsewhere would leave its history behind, so moving the thing is said first.
    fileInTheWay: `Move the file or link in the way (named above) out of there: ${where} and the folders in it must be folders. Or ${pointAt(origin, 'another folder')}.`,
    readOnly: `${capitalised(pointAt(origin, 'a writable folder'))}: ${where} is on a read-only file system.`,
    other: `Check ${where}; the next run tries again.`,
  };
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Where a verb's configuration came from: `--config FILE`, else the APPGW_* settings of `env`; `out`: `--out`. */
export interface FolderSource {
  readonly file?: string;
  readonly out?: string;
  readonly env: Env;
}

/**
 * The advice of the folder sink's and the state files' failures for folders configured as `source`
 * says (run-services.ts RunServicesOptions), `dirs` the loaded config's folders (absolute): read only
 * with a `source.file` (whether a folder is its default beside the file); the APPGW_* settings say
 * that themselves.
 */
export function folderAdvice(
  source: FolderSource,
  dirs: { readonly sinks?: string; readonly state?: string } = {},
): { readonly sinkFolderAdvice: FolderSinkAdvice; readonly stateFolderAdvice: StateFolderAdvice } {
  const origin = (key: FolderKey): FolderOrigin =>
    source.file !== undefined
      ? fileFolderOrigin(key, source.file, dirs[key] ?? '')
      : envFolderOrigin(key, source.env);
  return {
    sinkFolderAdvice: folderSinkAdvice(
      source.out !== undefined ? { by: 'flag', flag: '--out' } : origin('sinks'),
    ),
    stateFolderAdvice: stateFolderAdvice(origin('state')),
  };
}

/** The state files' advice for the state folder of config file `file` (`state` as loaded). */
export function fileStateAdvice(file: string, state: { readonly dir?: string }): StateFolderAdvice {
  return stateFolderAdvice(fileFolderOrigin('state', file, state.dir ?? ''));
}
