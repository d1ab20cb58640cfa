export * from './page';
export * from './roles';
