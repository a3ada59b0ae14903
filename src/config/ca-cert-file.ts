import { readTextFileSync } from '../adapters/files/json-file';

/**
 * Why `arm.caCertFile` cannot be used, or undefined when it can: it must exist, be a readable file, be
 * text as Windows or Linux save it (see src/core/input/json-text.ts), and hold at least one PEM certificate. Checked
 * when the configuration is loaded, so a wrong path is a configuration error naming the key and the
 * file, not a TLS failure at the first ARM call.
 */
export function caCertFileProblem(file: string): string | undefined {
  const read = readTextFileSync(file);
  if (!read.ok) return read.problem.replace(/: expected a JSON document$/, ': expected a PEM certificate');
  if (!read.value.includes('-----BEGIN CERTIFICATE-----')) {
    return 'the file holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" line)';
  }
  return undefined;
}
