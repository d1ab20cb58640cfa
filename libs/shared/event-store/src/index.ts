export * from './event-store.port';
export * from './position';
export * from './errors';
export * from './command-handler';
export * from './postgres/postgres-event-store';
export * from './create-event-store';
export * from './postgres/ensure-database';
export * from './postgres/database-outage';
