import { ConfigError } from '../errors';

/** Every five minutes, on the minute (NCRONTAB: second minute hour day month day-of-week). */
export const DEFAULT_SCHEDULE = '0 */5 * * * *';

/**
 * The timer's schedule from APPGW_SCHEDULE. Checked here so a typo fails at start-up with the setting's
 * name rather than as an opaque host error: NCRONTAB with 6 fields (or 5), or an hh:mm:ss TimeSpan.
 */
export function readSchedule(env: Readonly<Record<string, string | undefined>>): string {
  const raw = env['APPGW_SCHEDULE']?.trim();
  if (!raw) return DEFAULT_SCHEDULE;
  const fields = raw.split(/\s+/);
  const cronField = /^[\d*/,\-A-Za-z?]+$/;
  const isCron = (fields.length === 6 || fields.length === 5) && fields.every((f) => cronField.test(f));
  const isTimeSpan = /^\d{1,2}:\d{2}:\d{2}$/.test(raw);
  if (!isCron && !isTimeSpan) {
    throw new ConfigError(
      [
        `APPGW_SCHEDULE: "${raw}" is not an NCRONTAB expression such as "${DEFAULT_SCHEDULE}" (6 fields, UTC)`,
      ],
      'app settings',
    );
  }
  return raw;
}
