import {
  DEFAULT_ORGANIZATION_SETTINGS,
  keyEvents,
  organizationEvents,
  resourceEvents,
  type AuthorizationView,
  type AuthorizeRequest,
  type KeyEvent,
  type OrganizationEvent,
  type OrganizationRole,
  type ResourceEvent,
  type ResourceKind,
  type ResourceVisibility,
  type Scope,
  type StoredEventShape,
} from '@orgplane/contracts';
import { decideResourceAccess, type AccessedResource } from '@orgplane/resources-domain';

/** An API key as the index keeps it: only keys that are not revoked are kept. */
export interface IndexedApiKey {
  organizationId: string;
  ownerUserId: string;
  scopes: readonly Scope[];
  /** ms since the epoch; null: never expires */
  expiresAt: number | null;
}

/** The rows the index starts from (the read models, as of one checkpoint). */
export interface AccessSnapshot {
  members: Iterable<{ organizationId: string; userId: string; role: OrganizationRole }>;
  apiKeys: Iterable<{
    keyId: string;
    organizationId: string;
    ownerUserId: string;
    scopes: readonly Scope[];
    revoked: boolean;
    expiresAt: Date | null;
  }>;
  resources: Iterable<{
    id: string;
    organizationId: string;
    kind: ResourceKind;
    ownerUserId: string;
    visibility: ResourceVisibility;
  }>;
  policies: Iterable<{ organizationId: string; allowPublicResources: boolean }>;
}

export interface AccessIndexSize {
  organizations: number;
  members: number;
  apiKeys: number;
  resources: number;
  policies: number;
  /** distinct ids the index shares between its entries */
  internedIds: number;
}

/** The events the index follows; everything else in `$all` leaves its answers unchanged. */
export const ACCESS_INDEX_EVENT_TYPES = [
  'MemberJoined',
  'MemberRoleChanged',
  'MemberRemoved',
  'MemberLeft',
  'OrganizationDeleted',
  'OrganizationSettingsChanged',
  'ApiKeyCreated',
  'ApiKeyUpdated',
  'ApiKeyRevoked',
  'ResourceRegistered',
  'ResourceVisibilityChanged',
  'ResourceOwnerChanged',
  'ResourceRemoved',
] as const;

const ORGANIZATION_EVENT_TYPES: ReadonlySet<string> = new Set([
  'MemberJoined',
  'MemberRoleChanged',
  'MemberRemoved',
  'MemberLeft',
  'OrganizationDeleted',
  'OrganizationSettingsChanged',
]);
const KEY_EVENT_TYPES: ReadonlySet<string> = new Set([
  'ApiKeyCreated',
  'ApiKeyUpdated',
  'ApiKeyRevoked',
]);
const RESOURCE_EVENT_TYPES: ReadonlySet<string> = new Set([
  'ResourceRegistered',
  'ResourceVisibilityChanged',
  'ResourceOwnerChanged',
  'ResourceRemoved',
]);

/**
 * Every answer the index gives is one of a few dozen (allowed × reason × role): each is built
 * once and shared, so a check allocates no answer, and the responder can keep each one's JSON.
 */
const views = new Map<string, AuthorizationView>();
export function authorizationView(
  allowed: boolean,
  reason: string,
  role: OrganizationRole | null,
): AuthorizationView {
  const key = `${allowed}|${reason}|${role}`;
  let view = views.get(key);
  if (!view) {
    view = Object.freeze({ allowed, reason, role });
    views.set(key, view);
  }
  return view;
}

const UNKNOWN_API_KEY = authorizationView(false, 'unknown_api_key', null);
const NOT_A_MEMBER = authorizationView(false, 'not_a_member', null);

/**
 * What every authorization check needs, in memory: members by organization and user (their
 * role), API keys by id, registered resources by id, and the organizations whose policy differs
 * from the defaults. It changes only by `load` (the read models) and `apply` (an event of
 * ACCESS_INDEX_EVENT_TYPES, in `$all` order); `decide` reads it and allocates nothing on the way.
 *
 * Ids that recur (organizations, owners) are interned: one string per distinct id however many
 * entries name it. The intern table keeps ids of departed members and removed resources' owners;
 * it is bounded by the ids the organizations ever had.
 *
 * Memory (V8 heap, measured by `npm run bench:authorize`): about 15 MB per 100,000 members,
 * 24 MB per 100,000 active API keys and 16 MB per 100,000 resources. Nothing caps it: every
 * instance holds every organization's entries (see BENCHMARKS.md for what to do past millions).
 */
export class AccessIndex {
  /** organization → user → role */
  private readonly members = new Map<string, Map<string, OrganizationRole>>();
  private readonly apiKeys = new Map<string, IndexedApiKey>();
  private readonly resources = new Map<string, AccessedResource>();
  /** only organizations that changed their settings; the others have the defaults */
  private readonly allowPublicResources = new Map<string, boolean>();
  private readonly ids = new Map<string, string>();
  private memberCount = 0;

  /** Replaces the whole state by the snapshot's. */
  load(snapshot: AccessSnapshot): void {
    this.members.clear();
    this.apiKeys.clear();
    this.resources.clear();
    this.allowPublicResources.clear();
    this.ids.clear();
    this.memberCount = 0;
    for (const member of snapshot.members) {
      this.setRole(member.organizationId, member.userId, member.role);
    }
    for (const key of snapshot.apiKeys) {
      if (key.revoked) continue;
      this.apiKeys.set(key.keyId, {
        organizationId: this.intern(key.organizationId),
        ownerUserId: this.intern(key.ownerUserId),
        scopes: internScopes(key.scopes),
        expiresAt: key.expiresAt === null ? null : key.expiresAt.getTime(),
      });
    }
    for (const resource of snapshot.resources) {
      this.resources.set(resource.id, {
        organizationId: this.intern(resource.organizationId),
        kind: resource.kind,
        ownerUserId: this.intern(resource.ownerUserId),
        visibility: resource.visibility,
      });
    }
    for (const policy of snapshot.policies) {
      this.allowPublicResources.set(
        this.intern(policy.organizationId),
        policy.allowPublicResources,
      );
    }
  }

  /** Folds one event of ACCESS_INDEX_EVENT_TYPES; others are ignored. Throws on malformed data. */
  apply(event: StoredEventShape): void {
    if (ORGANIZATION_EVENT_TYPES.has(event.type)) {
      this.applyOrganizationEvent(organizationEvents.decode(event));
    } else if (KEY_EVENT_TYPES.has(event.type)) {
      this.applyKeyEvent(keyEvents.decode(event));
    } else if (RESOURCE_EVENT_TYPES.has(event.type)) {
      this.applyResourceEvent(resourceEvents.decode(event));
    }
  }

  private applyOrganizationEvent(event: OrganizationEvent): void {
    switch (event.type) {
      case 'MemberJoined':
      case 'MemberRoleChanged':
        this.setRole(event.data.organizationId, event.data.userId, event.data.role);
        return;
      case 'MemberRemoved':
      case 'MemberLeft': {
        const members = this.members.get(event.data.organizationId);
        if (members?.delete(event.data.userId)) this.memberCount -= 1;
        if (members?.size === 0) this.members.delete(event.data.organizationId);
        return;
      }
      case 'OrganizationDeleted': {
        // as the registry's table: its resources go (its keys stay, unusable without members)
        const { organizationId } = event.data;
        this.memberCount -= this.members.get(organizationId)?.size ?? 0;
        this.members.delete(organizationId);
        this.allowPublicResources.delete(organizationId);
        for (const [id, resource] of this.resources) {
          if (resource.organizationId === organizationId) this.resources.delete(id);
        }
        return;
      }
      case 'OrganizationSettingsChanged':
        this.allowPublicResources.set(
          this.intern(event.data.organizationId),
          event.data.settings.allowPublicResources,
        );
        return;
      default:
        return;
    }
  }

  private applyKeyEvent(event: KeyEvent): void {
    switch (event.type) {
      case 'ApiKeyCreated':
        this.apiKeys.set(event.data.keyId, {
          organizationId: this.intern(event.data.organizationId),
          ownerUserId: this.intern(event.data.ownerUserId),
          scopes: internScopes(event.data.scopes),
          expiresAt: event.data.expiresAt === null ? null : Date.parse(event.data.expiresAt),
        });
        return;
      case 'ApiKeyUpdated': {
        const key = this.apiKeys.get(event.data.keyId);
        if (key) key.scopes = internScopes(event.data.scopes);
        return;
      }
      case 'ApiKeyRevoked':
        this.apiKeys.delete(event.data.keyId);
        return;
      default:
        return;
    }
  }

  private applyResourceEvent(event: ResourceEvent): void {
    switch (event.type) {
      case 'ResourceRegistered':
        this.resources.set(event.data.resourceId, {
          organizationId: this.intern(event.data.organizationId),
          kind: event.data.kind,
          ownerUserId: this.intern(event.data.ownerUserId),
          visibility: event.data.visibility,
        });
        return;
      case 'ResourceVisibilityChanged': {
        const resource = this.resources.get(event.data.resourceId);
        if (resource) resource.visibility = event.data.visibility;
        return;
      }
      case 'ResourceOwnerChanged': {
        const resource = this.resources.get(event.data.resourceId);
        if (resource) resource.ownerUserId = this.intern(event.data.ownerUserId);
        return;
      }
      case 'ResourceRemoved':
        this.resources.delete(event.data.resourceId);
        return;
      default:
        return;
    }
  }

  /**
   * May the principal do the action on the resource? An API key acts for its owner, in its own
   * organization only, while it is neither revoked nor expired and its owner is still a member
   * there; any other key is `unknown_api_key`, as the gateway answers 401 to it without saying why.
   * A user must be a member of the organization asked about (`not_a_member`), the one they act
   * in. The resource is found by id whatever its organization (a public one reaches beyond it).
   * The rest is the registry's one rule (decideResourceAccess), which the HTTP handlers enforce
   * too: the key's scope (RESOURCE_ACTION_SCOPES), whether the resource is there and visible, and
   * who may change or publish it.
   */
  decide(request: AuthorizeRequest, now: number): AuthorizationView {
    const { principal, organizationId } = request;
    let userId: string;
    let scopes: readonly Scope[] | undefined;
    if (principal.type === 'apiKey') {
      const key = this.apiKeys.get(principal.keyId);
      if (
        !key ||
        key.organizationId !== organizationId ||
        (key.expiresAt !== null && key.expiresAt <= now)
      ) {
        return UNKNOWN_API_KEY;
      }
      userId = key.ownerUserId;
      scopes = key.scopes;
    } else {
      userId = principal.userId;
    }
    const role = this.members.get(organizationId)?.get(userId);
    if (!role) return principal.type === 'apiKey' ? UNKNOWN_API_KEY : NOT_A_MEMBER;
    const decision = decideResourceAccess({
      actor: { userId, organizationId, role },
      scopes,
      kind: request.resource.kind,
      resource: this.resources.get(request.resource.id) ?? null,
      action: request.action,
      allowPublicResources:
        this.allowPublicResources.get(organizationId) ??
        DEFAULT_ORGANIZATION_SETTINGS.allowPublicResources,
    });
    return authorizationView(decision.allowed, decision.reason, role);
  }

  size(): AccessIndexSize {
    return {
      organizations: this.members.size,
      members: this.memberCount,
      apiKeys: this.apiKeys.size,
      resources: this.resources.size,
      policies: this.allowPublicResources.size,
      internedIds: this.ids.size,
    };
  }

  private setRole(organizationId: string, userId: string, role: OrganizationRole): void {
    let members = this.members.get(organizationId);
    if (!members) {
      members = new Map();
      this.members.set(this.intern(organizationId), members);
    }
    if (!members.has(userId)) this.memberCount += 1;
    members.set(this.intern(userId), role);
  }

  private intern(id: string): string {
    const known = this.ids.get(id);
    if (known !== undefined) return known;
    this.ids.set(id, id);
    return id;
  }
}

/** Keys mostly hold the same few scope lists (`["*"]`): one array per distinct list. */
const scopeLists = new Map<string, readonly Scope[]>();
function internScopes(scopes: readonly Scope[]): readonly Scope[] {
  const key = scopes.join(' ');
  let list = scopeLists.get(key);
  if (!list) {
    if (scopeLists.size >= 10_000) return Object.freeze([...scopes]);
    list = Object.freeze([...scopes]);
    scopeLists.set(key, list);
  }
  return list;
}
