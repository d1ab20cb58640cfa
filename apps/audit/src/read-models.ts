import type { Projection } from '@orgplane/projections';
import { auditLogProjections } from './audit-log';
import { historyProjections } from './history';

/**
 * The audit service's read models, one runner each: the audit log (entries, targets, chain heads)
 * and history snapshots. Both write with plain SQL, so there are no TypeORM entities to register.
 */
export const auditProjections: Projection[] = [...auditLogProjections, ...historyProjections];
