import { eventSourcedServiceConfigShape } from '@orgplane/messaging';
import { loadConfig } from '@orgplane/util';
import { z } from 'zod';

export const auditConfigSchema = z.object(eventSourcedServiceConfigShape('audit'));
export type AuditConfig = z.infer<typeof auditConfigSchema>;

/** Injection token of the validated configuration. */
export const AUDIT_CONFIG = Symbol('AUDIT_CONFIG');

export function loadAuditConfig(env: NodeJS.ProcessEnv = process.env): AuditConfig {
  return loadConfig('audit', auditConfigSchema, env);
}
