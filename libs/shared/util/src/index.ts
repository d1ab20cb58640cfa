export * from './service-error';
export * from './ids';
export * from './clock';
export * from './decider';
export * from './config';
export * from './display-name';
