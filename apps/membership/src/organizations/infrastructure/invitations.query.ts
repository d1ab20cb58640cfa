import { Injectable } from '@nestjs/common';
import { keysetPage, toPage } from '@orgplane/event-sourcing';
import { InjectRepository } from '@nestjs/typeorm';
import type { InvitationStatus, PageInfo, PageRequest } from '@orgplane/contracts';
import type { Repository } from 'typeorm';
import { InvitationEntity } from './invitation.entity';
import type { OrganizationEntity } from './organization.entity';

export type InvitationWithOrganization = InvitationEntity & { organization: OrganizationEntity };

/** invitationStatus (domain) in SQL, for filtering: expiry compares with the time of the query. */
const STATUS_CONDITION: Record<InvitationStatus, string> = {
  accepted: 'invitation.acceptedAt IS NOT NULL',
  revoked: 'invitation.revokedAt IS NOT NULL',
  expired:
    'invitation.acceptedAt IS NULL AND invitation.revokedAt IS NULL AND invitation.expiresAt <= :now',
  pending:
    'invitation.acceptedAt IS NULL AND invitation.revokedAt IS NULL AND invitation.expiresAt > :now',
};

@Injectable()
export class InvitationsQuery {
  constructor(
    @InjectRepository(InvitationEntity)
    private readonly invitations: Repository<InvitationEntity>,
  ) {}

  /** The organization whose stream holds the invitation; null for an unknown one. */
  async organizationIdOf(invitationId: string): Promise<string | null> {
    const invitation = await this.invitations.findOne({
      select: { organizationId: true },
      where: { id: invitationId },
    });
    return invitation?.organizationId ?? null;
  }

  /** An organization's invitations, oldest first; only those in `status` when given. */
  pageOfOrganization(
    organizationId: string,
    status: InvitationStatus | undefined,
    request: PageRequest,
    now: Date,
  ): Promise<{ rows: InvitationWithOrganization[]; page: PageInfo }> {
    return this.page(
      'invitation.organizationId = :organizationId',
      { organizationId },
      status,
      request,
      now,
    );
  }

  /** The pending invitations addressed to `email` (lowercase), oldest first. */
  pageOfPendingFor(
    email: string,
    request: PageRequest,
    now: Date,
  ): Promise<{ rows: InvitationWithOrganization[]; page: PageInfo }> {
    return this.page('invitation.email = :email', { email }, 'pending', request, now);
  }

  private async page(
    condition: string,
    parameters: Record<string, string>,
    status: InvitationStatus | undefined,
    request: PageRequest,
    now: Date,
  ): Promise<{ rows: InvitationWithOrganization[]; page: PageInfo }> {
    const query = this.invitations
      .createQueryBuilder('invitation')
      .innerJoinAndSelect('invitation.organization', 'organization')
      .where(condition, parameters);
    if (status) query.andWhere(STATUS_CONDITION[status], { now });
    const rows = await keysetPage(
      query,
      ['invitation.createdAt', 'invitation.id'],
      request,
    ).getMany();
    return toPage(rows as InvitationWithOrganization[], request, (row) => ({
      at: row.createdAt,
      id: row.id,
    }));
  }
}
