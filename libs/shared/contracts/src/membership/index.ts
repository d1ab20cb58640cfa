export * from './membership.subjects';
export * from './organization.messages';
export * from './organization.events';
export * from './departure';
