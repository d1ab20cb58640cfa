import type { Scope } from '../common/scopes';

/** What the registry holds: the platform's runnable things, owned inside an organization. */
export const RESOURCE_KINDS = ['sandbox', 'agent', 'workflow', 'tool'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** The HTTP collection of each kind: `/v1/sandboxes`, `/v1/agents`, ... */
export const RESOURCE_COLLECTIONS = {
  sandbox: 'sandboxes',
  agent: 'agents',
  workflow: 'workflows',
  tool: 'tools',
} as const satisfies Record<ResourceKind, string>;

/** private: its owner (and Admins); org: every member; public: beyond the organization too. */
export const RESOURCE_VISIBILITIES = ['private', 'org', 'public'] as const;
export type ResourceVisibility = (typeof RESOURCE_VISIBILITIES)[number];

/**
 * What a principal may ask to do with a registered resource. `read` and `run` need the resource to
 * be visible to the caller; `update` and `delete` need its owner or an Admin; `publish` (a change
 * of visibility) to `org` or `public` needs an Admin, back to `private` its owner or an Admin.
 */
export const RESOURCE_ACTIONS = ['read', 'run', 'update', 'delete', 'publish'] as const;
export type ResourceAction = (typeof RESOURCE_ACTIONS)[number];

/**
 * The API-key scope each action on each kind needs: the one table both the gateway (for the HTTP
 * routes) and the resources service (for `resources.v1.authorize`) read, so a platform service's
 * check answers as the HTTP API enforces.
 */
export const RESOURCE_ACTION_SCOPES = {
  sandbox: {
    read: 'sandbox:read',
    run: 'sandbox:write',
    update: 'sandbox:write',
    delete: 'sandbox:write',
    publish: 'sandbox:write',
  },
  agent: {
    read: 'agent:read',
    run: 'agent:run',
    update: 'agent:write',
    delete: 'agent:write',
    publish: 'agent:write',
  },
  workflow: {
    read: 'workflow:*',
    run: 'workflow:*',
    update: 'workflow:*',
    delete: 'workflow:*',
    publish: 'workflow:*',
  },
  tool: { read: 'tool:*', run: 'tool:*', update: 'tool:*', delete: 'tool:*', publish: 'tool:*' },
} as const satisfies Record<ResourceKind, Record<ResourceAction, Scope>>;
