import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  AUDIT_SUBJECTS,
  diffOrganizationRequestSchema,
  parseHistoryMoment,
  replayOrganizationRequestSchema,
  type DiffOrganizationRequest,
  type HistoryMoment,
  type ReplayOrganizationRequest,
} from '@orgplane/contracts';
import { parsePosition } from '@orgplane/event-store';
import {
  inChunks,
  RequestCtx,
  requireOrganizationCaller,
  ValidPayload,
  type ReplyChunk,
  type RequestContext,
} from '@orgplane/messaging';
import { ServiceError } from '@orgplane/util';
import type { Observable } from 'rxjs';
import type { ReplayMoment } from '../infrastructure/history-snapshots.query';
import { OrganizationHistory } from './organization-history';

/**
 * History replay over NATS. The whole organization is shown, whoever acted, so only its Admins
 * (or their `activity:read` keys, which act with the owner's role) may ask; the gateway checks
 * the same before asking. The events are read from the store itself, settled, so a moment just
 * written is already in the answer: there is no read model to wait for. A big organization's
 * state runs to megabytes, more than one NATS message holds: replies go in chunks.
 */
@Controller()
export class HistoryHandlers {
  constructor(private readonly history: OrganizationHistory) {}

  /** The organization as of the moment; before its first event, `organization` is null. */
  @MessagePattern(AUDIT_SUBJECTS.replayOrganization)
  async replayOrganization(
    @ValidPayload(replayOrganizationRequestSchema) request: ReplayOrganizationRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<Observable<ReplyChunk>> {
    const organizationId = requireHistoryReader(context);
    const moment = request.at !== undefined ? { at: request.at } : { position: request.position! };
    return inChunks({ data: await this.history.stateAt(organizationId, replayMomentOf(moment)) });
  }

  @MessagePattern(AUDIT_SUBJECTS.diffOrganization)
  async diffOrganization(
    @ValidPayload(diffOrganizationRequestSchema) request: DiffOrganizationRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<Observable<ReplyChunk>> {
    const organizationId = requireHistoryReader(context);
    const [from, to] = [request.from, request.to].map((text) =>
      replayMomentOf(parseHistoryMoment(text)!),
    );
    return inChunks({ data: await this.history.diff(organizationId, from, to) });
  }
}

function requireHistoryReader(context: RequestContext): string {
  const caller = requireOrganizationCaller(context);
  if (caller.role !== 'admin') {
    throw new ServiceError(
      'forbidden',
      'admin_required',
      'Only an Admin of the organization may replay its history',
    );
  }
  return caller.organizationId;
}

/** The payload was validated against the contract's moment patterns. */
function replayMomentOf(moment: HistoryMoment): ReplayMoment {
  return 'at' in moment
    ? { at: new Date(moment.at) }
    : { position: parsePosition(moment.position)! };
}
