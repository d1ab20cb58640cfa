import type { EventStore, RecordedEvent } from '@orgplane/event-store';
import type { EntityManager } from 'typeorm';
import {
  defineProjection,
  ProjectionEventError,
  projectionContext,
  qualifiedTable,
} from './projection';
import { projectionLockKey } from './projection-lock';

type Opened = RecordedEvent<'CartOpened', { cartId: string }>;
type Closed = RecordedEvent<'CartClosed', { cartId: string }>;
type CartEvent = Opened | Closed;

let position = 0n;
function recorded<E extends CartEvent>(type: E['type'], data: E['data']): RecordedEvent {
  position += 1n;
  return {
    id: `event-${position}`,
    streamName: `cart-${data.cartId}`,
    revision: 0n,
    position: { commit: position, prepare: position },
    type,
    schemaVersion: 1,
    data,
    metadata: {
      orgId: null,
      actor: { type: 'system', id: 'spec' },
      requestId: 'r',
      correlationId: 'c',
      causationId: 'c',
    },
    createdAt: new Date(),
  };
}

// The reducers below never touch the database or the event store: they record what reached them.
const context = projectionContext({} as EntityManager, 'shop', {} as EventStore);

function cartsProjection(seen: string[], failOn?: string) {
  return defineProjection<CartEvent>({
    name: 'carts',
    setup: async () => undefined,
    reset: async () => undefined,
    reducers: {
      async CartOpened(event) {
        if (event.data.cartId === failOn) throw new Error('cart is cursed');
        seen.push(`opened ${event.data.cartId}`);
      },
      async CartClosed(event) {
        seen.push(`closed ${event.data.cartId}`);
      },
    },
  });
}

describe('defineProjection', () => {
  it('subscribes to the event types it has reducers for', () => {
    expect(cartsProjection([]).filter).toEqual({ eventTypes: ['CartOpened', 'CartClosed'] });
  });

  it('keeps a filter given explicitly, and passes over events it has no reducer for', async () => {
    const seen: string[] = [];
    const projection = defineProjection<CartEvent>({
      name: 'carts',
      filter: { streamNamePrefixes: ['cart-'] },
      setup: async () => undefined,
      reset: async () => undefined,
      reducers: {
        async CartClosed(event) {
          seen.push(`closed ${event.data.cartId}`);
        },
      },
    });
    await projection.apply(
      [recorded('CartOpened', { cartId: 'a' }), recorded('CartClosed', { cartId: 'a' })],
      context,
    );
    expect(projection.filter).toEqual({ streamNamePrefixes: ['cart-'] });
    expect(seen).toEqual(['closed a']);
  });

  it('hands each event to its reducer, in order', async () => {
    const seen: string[] = [];
    await cartsProjection(seen).apply(
      [
        recorded('CartOpened', { cartId: 'a' }),
        recorded('CartOpened', { cartId: 'b' }),
        recorded('CartClosed', { cartId: 'a' }),
      ],
      context,
    );
    expect(seen).toEqual(['opened a', 'opened b', 'closed a']);
  });

  it('names the event a reducer failed on, and stops there', async () => {
    const seen: string[] = [];
    const cursed = recorded('CartOpened', { cartId: 'cursed' });
    const failure = cartsProjection(seen, 'cursed').apply(
      [recorded('CartOpened', { cartId: 'a' }), cursed, recorded('CartClosed', { cartId: 'a' })],
      context,
    );
    await expect(failure).rejects.toBeInstanceOf(ProjectionEventError);
    await failure.catch((error: ProjectionEventError) => {
      expect(error.event).toEqual({
        id: cursed.id,
        type: 'CartOpened',
        streamName: 'cart-cursed',
        position: cursed.position,
      });
      expect(error.message).toBe(
        `Projection carts failed on event ${cursed.id} (CartOpened) of cart-cursed at ` +
          `${cursed.position.commit}:${cursed.position.prepare}: cart is cursed`,
      );
      expect((error.cause as Error).message).toBe('cart is cursed');
    });
    expect(seen).toEqual(['opened a']);
  });
});

describe('SQL names', () => {
  it('quotes schema and table', () => {
    expect(qualifiedTable('membership', 'org_members')).toBe('"membership"."org_members"');
    expect(context.table('odd"name')).toBe('"shop"."odd""name"');
  });

  it('gives each projection of each schema its own lock key', () => {
    const key = projectionLockKey('membership', 'org_members');
    expect(projectionLockKey('membership', 'org_members')).toBe(key);
    expect(projectionLockKey('keys', 'org_members')).not.toBe(key);
    expect(projectionLockKey('membership', 'invitations')).not.toBe(key);
    expect(key).toBeGreaterThanOrEqual(-(2n ** 63n));
    expect(key).toBeLessThan(2n ** 63n);
  });
});
