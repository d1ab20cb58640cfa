import { EXPIRES_IN_PATTERN } from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';

const DAY_MS = 24 * 60 * 60 * 1000;
/** `m` is a 30-day month and `y` a 365-day year: a duration, not a calendar date. */
const DAYS_PER_UNIT = { d: 1, w: 7, m: 30, y: 365 } as const;
/** 10 years: a key that outlives this should not be an API key. */
const MAX_EXPIRES_IN_DAYS = 10 * DAYS_PER_UNIT.y;

/** When a key created `now` with `expiresIn` (`30d`, `12w`, `6m`, `1y`) expires; null: never. */
export function expiresAtOf(expiresIn: string | null | undefined, now: Date): string | null {
  if (expiresIn === null || expiresIn === undefined) return null;
  const match = EXPIRES_IN_PATTERN.exec(expiresIn);
  if (!match) {
    throw ServiceError.validation({
      expiresIn: ['Expected a duration such as 30d, 12w, 6m or 1y'],
    });
  }
  const days = Number(match[1]) * DAYS_PER_UNIT[match[2] as keyof typeof DAYS_PER_UNIT];
  if (days > MAX_EXPIRES_IN_DAYS) {
    throw ServiceError.validation({ expiresIn: ['Must be at most 10 years (3650 days)'] });
  }
  return new Date(now.getTime() + days * DAY_MS).toISOString();
}
