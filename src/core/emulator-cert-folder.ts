/**
 * The prefix of the temporary folder the emulator makes for its certificate at each start
 * (`<TMPDIR>/appgw-emulator-XXXXXX`, src/emulator/tls.ts). In the core, with no imports, so the
 * configuration's check (src/config/ca-cert-file.ts), which may not import the emulator, recognises
 * such a folder by the same name.
 */
export const EMULATOR_CERT_FOLDER_PREFIX = 'appgw-emulator-';
