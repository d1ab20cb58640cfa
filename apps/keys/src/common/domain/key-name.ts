import { ServiceError } from '@orgplane/util';

const KEY_NAME_MAX_LENGTH = 100;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
/** Half a UTF-16 pair on its own: no character at all, and PostgreSQL refuses to store it. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * The name of an API key or an SSH key: trimmed, 1 to 100 characters, no control characters (the
 * rules of organization names, whose check lives in the membership service; both belong in a
 * shared library once a third service needs them).
 */
export function validKeyName(raw: string): string {
  const name = raw.trim();
  const length = [...name].length;
  if (length === 0) throw ServiceError.validation({ name: ['Must not be empty'] });
  // Control characters are invisible in every listing, and PostgreSQL cannot store U+0000.
  if (CONTROL_CHARACTERS.test(name)) {
    throw ServiceError.validation({ name: ['Must not contain control characters'] });
  }
  if (LONE_SURROGATE.test(name)) {
    throw ServiceError.validation({ name: ['Must be valid Unicode text'] });
  }
  if (length > KEY_NAME_MAX_LENGTH) {
    throw ServiceError.validation({ name: [`Must be at most ${KEY_NAME_MAX_LENGTH} characters`] });
  }
  return name;
}
