import { ServiceError } from '@orgplane/util';
import { z } from 'zod';
import { parseOrThrow, ROOT_FIELD } from './validation';

const schema = z.strictObject({
  name: z.string().max(3),
  members: z.array(z.strictObject({ email: z.email() })),
});

function fieldsOf(value: unknown): Record<string, string[]> {
  try {
    parseOrThrow(schema, value);
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceError);
    const serviceError = error as ServiceError;
    expect(serviceError.kind).toBe('validation');
    expect(serviceError.code).toBe('validation_failed');
    return serviceError.details?.fields as Record<string, string[]>;
  }
  throw new Error('expected a validation error');
}

describe('parseOrThrow', () => {
  it('returns the parsed value', () => {
    expect(parseOrThrow(schema, { name: 'abc', members: [] })).toEqual({
      name: 'abc',
      members: [],
    });
  });

  it('reports each problem under its dotted path', () => {
    expect(fieldsOf({ name: 'abcd', members: [{ email: 'nope' }] })).toEqual({
      name: [expect.stringContaining('3')],
      'members.0.email': ['Invalid email address'],
    });
  });

  it('says Required for a missing field', () => {
    expect(fieldsOf({ members: [] })).toEqual({ name: ['Required'] });
  });

  it('names every unknown field, nested ones too', () => {
    expect(fieldsOf({ name: 'a', members: [{ email: 'a@b.co', role: 'x' }], extra: 1 })).toEqual({
      'members.0.role': ['Unknown field'],
      extra: ['Unknown field'],
    });
  });

  it('reports a payload that is not an object under the root key', () => {
    expect(fieldsOf([1])).toEqual({ [ROOT_FIELD]: [expect.stringContaining('expected object')] });
    expect(fieldsOf(undefined)).toEqual({ [ROOT_FIELD]: ['Required'] });
  });
});
