import { ServiceError } from './service-error';

export const DISPLAY_NAME_MAX_LENGTH = 100;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
/** Half a UTF-16 pair on its own: no character at all, and PostgreSQL refuses to store it. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * A name people give something (an organization, a key): trimmed, 1 to 100 characters, no control
 * characters (invisible in every listing; PostgreSQL cannot store U+0000), valid Unicode. Problems
 * are reported on `field`.
 */
export function validDisplayName(raw: string, field = 'name'): string {
  const name = raw.trim();
  const length = [...name].length;
  const problem =
    length === 0
      ? 'Must not be empty'
      : CONTROL_CHARACTERS.test(name)
        ? 'Must not contain control characters'
        : LONE_SURROGATE.test(name)
          ? 'Must be valid Unicode text'
          : length > DISPLAY_NAME_MAX_LENGTH
            ? `Must be at most ${DISPLAY_NAME_MAX_LENGTH} characters`
            : undefined;
  if (problem) throw ServiceError.validation({ [field]: [problem] });
  return name;
}
