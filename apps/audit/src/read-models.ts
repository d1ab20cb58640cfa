import type { Projection } from '@orgplane/projections';

/** The audit service's tables, one runner each (filled in by the audit log and history parts). */
export const auditEntities: Function[] = [];
export const auditProjections: Projection[] = [];
