import type { ClientBase } from 'pg';

/**
 * Gives a pooled connection an error listener of its own for as long as it lives: pass it as
 * pg-pool's `onConnect` (TypeORM: `extra.onConnect`) or its 'connect' event.
 *
 * A pg client emits 'error' when the server ends its session (a restart, a fast shutdown), and an
 * 'error' with no listener ends the process. pg-pool listens while a client is idle and TypeORM
 * while a query runner holds it, but TypeORM attaches its listener a microtask after the pool hands
 * the client over. A server that sends a new session's ReadyForQuery and its termination in one
 * packet hits that gap: membership died so during a PostgreSQL restart in faults.e2e. Nothing is
 * hidden by listening here: the client is no longer queryable, its next query fails, and the pool
 * drops it when it comes back.
 */
export function keepClientErrorsFromCrashing(client: ClientBase): void {
  client.on('error', () => undefined);
}
