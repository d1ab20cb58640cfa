export * from './database';
export * from './nats-server';
export * from './decider-specification';
export * from './eventually';
export * from './service-process';
