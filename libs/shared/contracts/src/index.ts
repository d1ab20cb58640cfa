export * from './headers';
export * from './reply';
export * from './events';
export * from './membership';
export * from './identity';
export * from './resources';
export * from './secrets-vault';
export * from './keys';
