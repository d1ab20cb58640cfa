export * from './keys.subjects';
