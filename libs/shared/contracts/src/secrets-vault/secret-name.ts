/** Names are 1 to 128 characters of `[A-Z0-9_]` once normalized. */
export const SECRET_NAME_MAX_LENGTH = 128;

export type SecretNameProblem = 'invalid_characters' | 'empty' | 'too_long';

/**
 * The name a secret is stored under: uppercased, with runs of separators (whitespace, `-`, `.`,
 * `/`) turned into `_`, as `OPENAI_API_KEY` for `openai-api-key`. Other characters are refused
 * rather than dropped, so two different inputs never silently meet on one secret. A name left
 * without any letter or digit (`"-"`, `"___"`) normalizes to nothing.
 */
export function normalizeSecretName(
  raw: string,
): { name: string } | { problem: SecretNameProblem } {
  const name = raw
    .trim()
    .toUpperCase()
    .replace(/[\s.\-/]+/g, '_');
  if (/[^A-Z0-9_]/.test(name)) return { problem: 'invalid_characters' };
  if (!/[A-Z0-9]/.test(name)) return { problem: 'empty' };
  if (name.length > SECRET_NAME_MAX_LENGTH) return { problem: 'too_long' };
  return { name };
}
