import { type PipeTransform } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ServiceError, type FieldErrors } from '@orgplane/util';
import type { z } from 'zod';

/** Problems with the payload as a whole (not an object, say) are reported under this key. */
export const ROOT_FIELD = '(root)';

/** Turns zod issues into per-field messages keyed by dotted path (`members.0.email`). */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  const add = (path: PropertyKey[], message: string) => {
    const key = path.length > 0 ? path.map(String).join('.') : ROOT_FIELD;
    (fields[key] ??= []).push(message);
  };
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add([...issue.path, key], 'Unknown field');
    } else {
      add(issue.path, issue.message);
    }
  }
  return fields;
}

/** "Required" rather than zod's "expected string, received undefined" for a missing field. */
const friendlierMessages: z.core.$ZodErrorMap = (issue) =>
  issue.code === 'invalid_type' && issue.input === undefined ? 'Required' : undefined;

/** Parses a message at the boundary, or throws ServiceError.validation with per-field details. */
export function parseOrThrow<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
): z.output<Schema> {
  const result = schema.safeParse(value, { error: friendlierMessages });
  if (!result.success) throw ServiceError.validation(fieldErrorsOf(result.error));
  return result.data;
}

export class ZodValidationPipe<Schema extends z.ZodType> implements PipeTransform {
  constructor(private readonly schema: Schema) {}

  transform(value: unknown): z.output<Schema> {
    return parseOrThrow(this.schema, value);
  }
}

/** `@ValidPayload(schema)`: the message payload, validated (unknown fields are rejected by strict schemas). */
export function ValidPayload(schema: z.ZodType): ParameterDecorator {
  return Payload(new ZodValidationPipe(schema));
}
