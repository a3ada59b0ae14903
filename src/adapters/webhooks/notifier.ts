/** The port lives in src/ports.ts; re-exported for the webhook adapters. */
export type { AttemptRecord, Notifier, SendResult } from '../../ports';
