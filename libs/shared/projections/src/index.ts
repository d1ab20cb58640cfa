export * from './projection';
export { CHECKPOINT_CHANNEL, CHECKPOINT_TABLE, readCheckpoint } from './checkpoints';
export { projectionLockKey } from './projection-lock';
export * from './projection-runner';
export * from './wait-for-projections';
export * from './projections.module';
export { runSchemaDdl } from './schema-ddl';
export { combinedProjection } from './combined-projection';
export { serveReadModelOperations, type ServiceInstance } from './read-model-operations';
