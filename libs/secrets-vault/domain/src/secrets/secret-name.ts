import {
  normalizeSecretName,
  SECRET_NAME_MAX_LENGTH,
  type SecretNameProblem,
} from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';

const PROBLEMS: Record<SecretNameProblem, string> = {
  empty: 'The name normalizes to nothing: it needs at least one letter or digit',
  invalid_characters:
    'The name may hold only letters, digits, `_` and separators (spaces, `-`, `.`, `/`)',
  too_long: `The name is longer than ${SECRET_NAME_MAX_LENGTH} characters once normalized`,
};

/**
 * The name a secret is stored under (normalizeSecretName), for a write and for a path alike, so
 * `openai-key` finds `OPENAI_KEY`. A name that does not normalize is a 400 `invalid_name` on `name`.
 */
export function secretNameOf(raw: string): string {
  const normalized = normalizeSecretName(raw);
  if ('name' in normalized) return normalized.name;
  const message = PROBLEMS[normalized.problem];
  throw new ServiceError('validation', 'invalid_name', message, { fields: { name: [message] } });
}
