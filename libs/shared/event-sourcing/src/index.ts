export * from './event-metadata';
export * from './event-sourcing.module';
export * from './command-runner';
export * from './keyset-page';
export * from './read-history';
export * from './departures';
