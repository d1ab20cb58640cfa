export * from './page';
export * from './roles';
export * from './scopes';
