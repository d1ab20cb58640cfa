export * from './resources.subjects';
export * from './resource-access';
export * from './resource-ids';
export * from './resources.events';
export * from './resources.messages';
