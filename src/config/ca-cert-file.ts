import { readTextFileSync } from '../adapters/files/json-file';
import { EMULATOR_CERT_FOLDER_PREFIX } from '../core/emulator-cert-folder';

/** A file in a folder the emulator made for its certificate (its prefix and mkdtemp's six characters). */
const EMULATOR_FOLDER = new RegExp(`[\\\\/]${EMULATOR_CERT_FOLDER_PREFIX}[A-Za-z0-9]{6}[\\\\/][^\\\\/]+$`);

/**
 * Why `arm.caCertFile` cannot be used, or undefined when it can: it must exist, be a readable file, be
 * text as Windows or Linux save it (see src/core/input/json-text.ts), and hold at least one PEM certificate. Checked
 * when the configuration is loaded, so a wrong path is a configuration error naming the key and the
 * file, not a TLS failure at the first ARM call.
 */
export function caCertFileProblem(file: string): string | undefined {
  const read = readTextFileSync(file);
  if (!read.ok) {
    const problem = read.problem.replace(/: expected a JSON document$/, ': expected a PEM certificate');
    // The emulator's certificate lives in a temporary folder of its own, gone when it stops; a restart
    // makes another (a new-user trial's config still named the first, and the error said no more).
    return EMULATOR_FOLDER.test(file) && /\(ENOENT\)/.test(problem)
      ? `${problem}: an emulator writes its certificate to a new folder each time it starts; take "caCertFile" from its first stdout line or its --config-out file`
      : problem;
  }
  if (!read.value.includes('-----BEGIN CERTIFICATE-----')) {
    return 'the file holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" line)';
  }
  return undefined;
}
