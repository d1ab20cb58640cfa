import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  AUDIT_EXPORT_PAGE_SIZE,
  AUDIT_SUBJECTS,
  exportAuditPageRequestSchema,
  listAuditEntriesRequestSchema,
  verifyAuditChainRequestSchema,
  type AuditChainVerification,
  type AuditEntry,
  type ExportAuditPageRequest,
  type ListAuditEntriesRequest,
  type ServiceReply,
  type VerifyAuditChainRequest,
} from '@orgplane/contracts';
import { ReadModels } from '@orgplane/event-sourcing';
import {
  RequestCtx,
  ValidPayload,
  requireOrganizationCaller,
  type RequestContext,
} from '@orgplane/messaging';
import { ServiceError } from '@orgplane/util';
import { parseActionFilter, visibleActor } from '../domain/audit-query';
import { AuditEntriesQuery } from '../infrastructure/audit-entries.query';

const date = (iso: string | undefined) => (iso === undefined ? undefined : new Date(iso));

@Controller()
export class AuditLogHandlers {
  constructor(
    private readonly readModels: ReadModels,
    private readonly entries: AuditEntriesQuery,
  ) {}

  /**
   * The organization's entries, newest first, filtered by actor, action (`member.*` for a
   * prefix), target, request and time (`since` inclusive, `until` exclusive). Members see the
   * entries they acted in, as themselves or through their API keys; Admins see everyone's.
   */
  @MessagePattern(AUDIT_SUBJECTS.listEntries)
  async listEntries(
    @ValidPayload(listAuditEntriesRequestSchema) request: ListAuditEntriesRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<AuditEntry[]>> {
    const caller = requireOrganizationCaller(context);
    const actorUserId = visibleActor(caller, request.actor_user_id);
    if (request.resource_id !== undefined && request.resource_type === undefined) {
      throw ServiceError.validation({ resource_type: ['Give resource_type with resource_id'] });
    }
    await this.readModels.catchUpTo(context.minPosition);
    const { rows, page } = await this.entries.page(
      {
        orgId: caller.organizationId,
        actorUserId,
        actorApiKeyId: request.actor_api_key_id,
        actorType: request.actor_type,
        actions:
          request.event_type === undefined ? undefined : parseActionFilter(request.event_type),
        target:
          request.resource_type === undefined
            ? undefined
            : { type: request.resource_type, id: request.resource_id },
        requestId: request.request_id,
        since: date(request.since),
        until: date(request.until),
      },
      request,
    );
    return { data: rows, page };
  }

  /**
   * One page of an export, oldest first by sequence, with the list's visibility: the gateway asks
   * for the next page while it streams this one, so no export sits in memory whole.
   */
  @MessagePattern(AUDIT_SUBJECTS.exportPage)
  async exportPage(
    @ValidPayload(exportAuditPageRequestSchema) request: ExportAuditPageRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<AuditEntry[]>> {
    const caller = requireOrganizationCaller(context);
    await this.readModels.catchUpTo(context.minPosition);
    const { rows, page } = await this.entries.exportPage(
      {
        orgId: caller.organizationId,
        actorUserId: visibleActor(caller, undefined),
        since: date(request.since),
        until: date(request.until),
      },
      { limit: request.limit ?? AUDIT_EXPORT_PAGE_SIZE.default, cursor: request.cursor },
    );
    return { data: rows, page };
  }

  /** Admins only: whether the organization's chain still holds over a range of sequences. */
  @MessagePattern(AUDIT_SUBJECTS.verifyChain)
  async verifyChain(
    @ValidPayload(verifyAuditChainRequestSchema) request: VerifyAuditChainRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<AuditChainVerification>> {
    const caller = requireOrganizationCaller(context);
    if (caller.role !== 'admin') {
      throw new ServiceError('forbidden', 'admin_required', 'Only Admins may verify the audit log');
    }
    await this.readModels.catchUpTo(context.minPosition);
    return { data: await this.entries.verify(caller.organizationId, request) };
  }
}
