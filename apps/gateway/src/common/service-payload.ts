import { ROOT_FIELD } from '@orgplane/messaging';
import { isUuid, ServiceError, type FieldErrors } from '@orgplane/util';

/**
 * What a route sends its service: the JSON body's fields (or the query's, for lists) plus the ids
 * the path names. A body must be a JSON object, and may not carry a field the path fills:
 * the path says which resource, and a second, different answer in the body would be ignored
 * silently otherwise.
 */
export function servicePayload(
  input: unknown,
  fromPath: Record<string, string> = {},
): Record<string, unknown> {
  if (input === undefined || input === null) return { ...fromPath };
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw ServiceError.validation({ [ROOT_FIELD]: ['Expected a JSON object'] });
  }
  const problems: FieldErrors = {};
  for (const field of Object.keys(fromPath)) {
    if (Object.hasOwn(input, field)) problems[field] = ['Unrecognized key: it comes from the path'];
  }
  if (Object.keys(problems).length > 0) throw ServiceError.validation(problems);
  return { ...input, ...fromPath };
}

/** An id from the path: a malformed one names nothing, so it is a 404 like an unknown one. */
export function pathId(value: string, what: string): string {
  if (!isUuid(value)) throw ServiceError.notFound(what);
  return value.toLowerCase();
}
