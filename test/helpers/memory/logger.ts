import type { Logger } from '../../../src/pipeline/logger';

export type LogLevel = 'info' | 'warn' | 'error';

/** A Logger that keeps every line with its level. */
export interface MemoryLogger extends Logger {
  readonly entries: Array<{ readonly level: LogLevel; readonly message: string }>;
  /** The messages logged at `level`, in order. */
  at(level: LogLevel): string[];
}

export function memoryLogger(): MemoryLogger {
  const entries: MemoryLogger['entries'] = [];
  return {
    entries,
    info: (message) => void entries.push({ level: 'info', message }),
    warn: (message) => void entries.push({ level: 'warn', message }),
    error: (message) => void entries.push({ level: 'error', message }),
    at: (level) => entries.filter((e) => e.level === level).map((e) => e.message),
  };
}
