export * from './audit.subjects';
export * from './audit-log.messages';
export * from './history.messages';
