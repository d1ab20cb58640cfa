import { auditEntriesProjection } from './infrastructure/audit-entries.projection';

export { AuditLogModule } from './application/audit-log.module';
/** The audit log's runner: its tables are written with SQL of its own, so it has no entities. */
export const auditLogProjections = [auditEntriesProjection];
