export * from './event-metadata';
export * from './event-sourcing.module';
