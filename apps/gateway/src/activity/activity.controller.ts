import { Controller, Inject, Query, Res } from '@nestjs/common';
import {
  AUDIT_SUBJECTS,
  exportAuditEntriesQuerySchema,
  type AuditChainVerification,
  type AuditEntry,
  type ExportAuditPageRequest,
  type ServiceReply,
} from '@orgplane/contracts';
import { parseOrThrow, ServiceClient, type Logger, type RequestContext } from '@orgplane/messaging';
import { systemClock } from '@orgplane/util';
import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import { HttpRequestContext } from '../common/http-request-context';
import { servicePayload } from '../common/service-payload';
import { NotEnveloped } from '../conventions/not-enveloped.decorator';
import { Route } from '../routes/route.decorator';
import { openAuditExport } from './audit-export';
import { AUDIT_EXPORT_MEDIA } from './audit-export-format';

/** The gateway's logger, for what goes wrong once an export's status has been sent. */
export const ACTIVITY_LOGGER = Symbol('ACTIVITY_LOGGER');

/**
 * Entries per page the gateway asks of the audit service while exporting. A page travels as one
 * NATS reply, and NATS refuses messages over its max_payload (1 MB by default): at about 1 KB an
 * entry, 250 leave room for long attributes and user agents.
 */
const EXPORT_PAGE_SIZE = 250;

/**
 * The organization's audit log: its entries, its export and its hash chain's check. The audit
 * service decides whose entries the caller sees (Members their own, Admins everyone's); the catalog
 * lets API keys in with `activity:read`.
 */
@Controller()
export class ActivityController {
  constructor(
    private readonly services: ServiceClient,
    @Inject(ACTIVITY_LOGGER) private readonly logger: Logger,
  ) {}

  @Route('activity.list')
  list(
    @Query() query: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<AuditEntry[]>> {
    return this.services.request(AUDIT_SUBJECTS.listEntries, servicePayload(query), context);
  }

  @Route('activity.verify')
  verify(
    @Query() query: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<AuditChainVerification>> {
    return this.services.request(AUDIT_SUBJECTS.verifyChain, servicePayload(query), context);
  }

  /** A file, not an envelope: NDJSON or CSV, streamed as the audit service's pages come in. */
  @Route('activity.export')
  @NotEnveloped()
  async export(
    @Query() query: unknown,
    @HttpRequestContext() context: RequestContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Readable> {
    const { format, since, until } = parseOrThrow(
      exportAuditEntriesQuerySchema,
      servicePayload(query),
    );
    const stream = await openAuditExport(
      (cursor) => {
        const page: ExportAuditPageRequest = { since, until, cursor, limit: EXPORT_PAGE_SIZE };
        return this.services.request<AuditEntry[]>(AUDIT_SUBJECTS.exportPage, page, context);
      },
      format,
      (error) =>
        this.logger.error(
          { requestId: context.requestId, err: error },
          'Audit export broken off after it started',
        ),
    );
    const { type, extension } = AUDIT_EXPORT_MEDIA[format];
    const fileName = `activity-${context.caller?.organizationId}-${fileTimestamp()}.${extension}`;
    void reply
      .header('content-type', type)
      .header('content-disposition', `attachment; filename="${fileName}"`)
      // Who did what in the organization: not for shared caches.
      .header('cache-control', 'no-store');
    return stream;
  }
}

/** `20261124T120000Z`: sorts as time does, and is safe in a file name. */
function fileTimestamp(): string {
  return systemClock
    .now()
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
}
