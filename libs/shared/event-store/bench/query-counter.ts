import { Client } from 'pg';

/**
 * Counts `pg` client queries, i.e. round trips to the server: a simple-protocol string of
 * several statements is one call, an extended-protocol query (parse, bind, execute) is one call.
 * Every system in this benchmark (and TypeORM, should an adapter use it) goes through
 * `Client.prototype.query`, so one patch counts them all.
 */
let queryCount = 0;

export function installQueryCounter() {
  const query = Client.prototype.query as (...args: unknown[]) => unknown;
  // The overloads of `query` cannot be re-declared one by one; forwarding the arguments keeps
  // every overload's behaviour.
  (Client.prototype as unknown as { query: (...args: unknown[]) => unknown }).query = function (
    this: Client,
    ...args: unknown[]
  ) {
    queryCount += 1;
    return query.apply(this, args);
  };
}

export function queriesSoFar(): number {
  return queryCount;
}
