export * from './resources.subjects';
