import { eventSourcedServiceConfigShape } from '@orgplane/messaging';
import { loadConfig } from '@orgplane/util';
import { z } from 'zod';

export const membershipConfigSchema = z.object(eventSourcedServiceConfigShape('membership'));
export type MembershipConfig = z.infer<typeof membershipConfigSchema>;

export function loadMembershipConfig(env: NodeJS.ProcessEnv = process.env): MembershipConfig {
  return loadConfig('membership', membershipConfigSchema, env);
}
