import { z } from 'zod';
import { defineEventCatalog, UnknownEventError } from './events';

const catalog = defineEventCatalog({
  ThingNamed: { schemaVersion: 2, data: z.strictObject({ name: z.string().min(1) }) },
});

describe('event catalog', () => {
  it('encodes an event with its schema version and decodes it back', () => {
    const stored = catalog.encode({ type: 'ThingNamed', data: { name: 'a' } });
    expect(stored).toEqual({ type: 'ThingNamed', schemaVersion: 2, data: { name: 'a' } });
    expect(catalog.decode(stored)).toEqual({ type: 'ThingNamed', data: { name: 'a' } });
  });

  it('refuses to encode data its schema does not describe', () => {
    expect(() => catalog.encode({ type: 'ThingNamed', data: { name: '' } })).toThrow(z.ZodError);
  });

  it('refuses to decode unknown types, other versions and invalid data', () => {
    expect(() => catalog.decode({ type: 'Other', schemaVersion: 1, data: {} })).toThrow(
      UnknownEventError,
    );
    expect(() =>
      catalog.decode({ type: 'ThingNamed', schemaVersion: 1, data: { name: 'a' } }),
    ).toThrow(UnknownEventError);
    expect(() =>
      catalog.decode({ type: 'ThingNamed', schemaVersion: 2, data: { name: 'a', extra: 1 } }),
    ).toThrow(z.ZodError);
    expect(() => catalog.decode({ type: 'toString', schemaVersion: 2, data: {} })).toThrow(
      UnknownEventError,
    );
  });
});
