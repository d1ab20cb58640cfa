import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * API keys: `rt_live_` or `rt_test_`, 22 base62 characters of randomness (131 bits), then the
 * CRC32 of everything before it as 6 base62 characters. The checksum lets the gateway (and a
 * secret scanner) refuse a mistyped or made-up key without a lookup.
 */
export const API_KEY_ENVIRONMENTS = { live: 'rt_live_', test: 'rt_test_' } as const;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 22;
const CHECKSUM_LENGTH = 6;
/** what is kept and shown of a key: `rt_live_` and its first 4 random characters */
const PREFIX_LENGTH = 12;
const API_KEY_PATTERN = new RegExp(
  `^(rt_(?:live|test)_[0-9A-Za-z]{${RANDOM_LENGTH}})([0-9A-Za-z]{${CHECKSUM_LENGTH}})$`,
);

function base62(value: bigint, length: number): string {
  let text = '';
  for (let rest = value; rest > 0n; rest /= 62n) text = BASE62[Number(rest % 62n)] + text;
  return text.padStart(length, '0');
}

function checksum(text: string): string {
  return base62(BigInt(crc32(text)), CHECKSUM_LENGTH);
}

export function generateApiKey(isTest: boolean): string {
  const body = base62(BigInt(`0x${randomBytes(24).toString('hex')}`) % 62n ** 22n, RANDOM_LENGTH);
  const unchecked = `${isTest ? API_KEY_ENVIRONMENTS.test : API_KEY_ENVIRONMENTS.live}${body}`;
  return `${unchecked}${checksum(unchecked)}`;
}

/** True when the text has the shape of a key and its checksum matches. */
export function isWellFormedApiKey(text: string): boolean {
  const match = API_KEY_PATTERN.exec(text);
  return match !== null && checksum(match[1]) === match[2];
}

/** What is stored and looked up instead of the key: SHA-256, hex. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The first characters, kept for display (`keyPrefix`). */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, PREFIX_LENGTH);
}

/** Anything that starts like a key, for the gateway to tell keys from session tokens. */
export function looksLikeApiKey(text: string): boolean {
  return text.startsWith('rt_');
}
