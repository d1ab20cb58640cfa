export * from './api-key-format';
export * from './keys.events';
export * from './keys.messages';
export * from './keys.subjects';
