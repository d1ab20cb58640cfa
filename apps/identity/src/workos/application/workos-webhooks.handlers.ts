import { Controller, Inject, Logger } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  IDENTITY_SUBJECTS,
  MEMBERSHIP_SUBJECTS,
  userIdOfWorkosUser,
  workosWebhookRequestSchema,
  type OrganizationRole,
  type ServiceReply,
  type SyncMembershipRequest,
  type WorkosWebhookReply,
  type WorkosWebhookRequest,
} from '@orgplane/contracts';
import { RequestCtx, ServiceClient, ValidPayload, type RequestContext } from '@orgplane/messaging';
import { ServiceError } from '@orgplane/util';
import {
  SignatureVerificationException,
  type Event as WorkosEvent,
  type OrganizationMembership,
} from '@workos-inc/node';
import { DataSource } from 'typeorm';
import { IDENTITY_CONFIG, type IdentityConfig } from '../../identity.config';
import { UserAccounts } from '../../users/application/user-accounts';
import { WebhookDeliveries } from '../infrastructure/webhook-deliveries';
import { Workos } from '../infrastructure/workos';
import { organizationIdOfWorkos } from '../infrastructure/workos-organizations.projection';

/** Webhook changes are made by the WorkOS directory, not by a user of ours. */
const WEBHOOK_ACTOR = { type: 'system', id: 'identity.workos-webhooks' } as const;

/**
 * WorkOS webhooks keep users and memberships in step with changes made in WorkOS. The signature
 * is checked with the SDK over the body as WorkOS sent it; an event is handled once (by its id)
 * however often WorkOS delivers it.
 */
@Controller()
export class WorkosWebhooksHandlers {
  private readonly logger = new Logger(WorkosWebhooksHandlers.name);

  constructor(
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    private readonly workos: Workos,
    private readonly deliveries: WebhookDeliveries,
    private readonly accounts: UserAccounts,
    private readonly services: ServiceClient,
    private readonly dataSource: DataSource,
  ) {}

  @MessagePattern(IDENTITY_SUBJECTS.workosWebhook)
  async receive(
    @ValidPayload(workosWebhookRequestSchema) { payload, signature }: WorkosWebhookRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<WorkosWebhookReply>> {
    const { client, settings } = this.workos.require();
    const event = await client.webhooks
      .constructEvent({
        // The SDK signs JSON.stringify of what it is given, which is the body WorkOS sent.
        payload: eventPayload(payload),
        sigHeader: signature,
        secret: settings.webhookSecret,
      })
      .catch((error: unknown) => {
        if (!(error instanceof SignatureVerificationException)) throw error;
        throw invalidSignature();
      });
    // An event type the SDK does not know is deserialized to nothing; none of ours.
    if (!event) return { data: { received: true } };
    const handled = await this.deliveries.handleOnce(event.id, () => this.handle(event, context));
    if (!handled) this.logger.log(`WorkOS event ${event.id} was handled before`);
    return { data: { received: true } };
  }

  private async handle(event: WorkosEvent, context: RequestContext): Promise<void> {
    switch (event.event) {
      case 'user.created':
      case 'user.updated':
        await this.accounts.syncWorkosUser(event.data, context, WEBHOOK_ACTOR);
        return;
      case 'organization_membership.created':
      case 'organization_membership.updated':
      case 'organization_membership.deleted':
        await this.syncMembership(
          event.data,
          event.event === 'organization_membership.deleted' ? null : roleOf(event.data),
          context,
        );
        return;
      default:
        this.logger.log(`WorkOS event ${event.id} (${event.event}) is not one Orgplane follows`);
    }
  }

  /**
   * Membership owns memberships: it is asked to make the user's role `role` (null: removed), as
   * the directory acting, with no caller. It changes nothing when the state is already that,
   * which is how the echo of a change mirrored from here ends.
   */
  private async syncMembership(
    membership: OrganizationMembership,
    role: OrganizationRole | null,
    context: RequestContext,
  ): Promise<void> {
    const organizationId = await organizationIdOfWorkos(
      this.dataSource,
      this.config.READ_MODEL_SCHEMA,
      membership.organizationId,
    );
    const userId = userIdOfWorkosUser(membership.userId);
    if (!organizationId || !(await this.accounts.find(userId))) {
      this.logger.log(
        `WorkOS membership ${membership.id} ignored: organization ${membership.organizationId} ` +
          `or user ${membership.userId} is not known here`,
      );
      return;
    }
    const request: SyncMembershipRequest = { organizationId, userId, role };
    await this.services
      .request(MEMBERSHIP_SUBJECTS.syncMembership, request, { ...context, caller: undefined })
      .catch((error: unknown) => {
        // Retrying cannot change a refusal (the last Admin, say); an outage can pass.
        if (!(error instanceof ServiceError) || error.kind === 'unavailable') throw error;
        this.logger.warn(`WorkOS membership ${membership.id} not applied: ${error.code}`);
      });
  }
}

/**
 * Orgplane's role for a WorkOS membership: its `admin` role is an Admin; any other role is a
 * Member. A membership that is not active (deactivated, or an invitation pending) is none.
 */
function roleOf(membership: OrganizationMembership): OrganizationRole | null {
  if (membership.status !== 'active') return null;
  return membership.role.slug === 'admin' ? 'admin' : 'member';
}

/** A body that is not a JSON object is no event WorkOS signed. */
function eventPayload(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidSignature();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidSignature();
  }
  return parsed as Record<string, unknown>;
}

function invalidSignature(): ServiceError {
  return new ServiceError('unauthorized', 'invalid_signature', 'The signature is not valid');
}
