export * from './database';
export * from './nats-server';
export * from './decider-specification';
export * from './eventually';
export * from './latency';
export * from './service-process';
export * from './private-postgres';
export * from './traffic';
