import { z } from 'zod';

/**
 * The API-key scope vocabulary: the union of the RunTools reference's lists (the create-key enum,
 * the organizations and authentication guides, workspaces and RunMesh pages), plus `secret:read`,
 * `secret:reveal`, `secret:write` and `secret:*`, which the reference does not list but the secrets
 * API needs: a key that may list secrets need not be able to reveal them. The legacy names
 * (`sandboxes`, `templates`, `template:*`) are not accepted: an unknown scope is a 400.
 */
export const SCOPES = [
  '*',
  'sandbox:create',
  'sandbox:read',
  'sandbox:write',
  'sandbox:*',
  'agent:run',
  'agent:read',
  'agent:write',
  'agent:*',
  'workflow:*',
  'tool:*',
  'files:read',
  'files:write',
  'files:*',
  'ssh-key:*',
  'secret:read',
  'secret:reveal',
  'secret:write',
  'secret:*',
  'org:read',
  'org:write',
  'org:members',
  'org:*',
  'admin:resources',
  'admin:*',
  'runmesh:read',
  'runmesh:write',
  'activity:read',
] as const;
export type Scope = (typeof SCOPES)[number];

export const scopeSchema = z.enum(SCOPES);

/**
 * Whether a key holding `granted` may use something that needs `required`: the same scope, `*`,
 * or the wildcard of its resource (`org:*` grants `org:read`).
 */
export function grantsScope(granted: readonly Scope[], required: Scope): boolean {
  const resource = required.split(':')[0];
  return granted.some((scope) => scope === '*' || scope === required || scope === `${resource}:*`);
}
