import { Injectable } from '@nestjs/common';
import { keysetPage, toPage } from '@orgplane/event-sourcing';
import { InjectRepository } from '@nestjs/typeorm';
import type { OrganizationRole, PageInfo, PageRequest } from '@orgplane/contracts';
import type { Repository } from 'typeorm';
import { OrganizationMemberEntity } from './organization-member.entity';
import { OrganizationEntity } from './organization.entity';

/** A user's membership with the organization it is in. */
export type MembershipWithOrganization = OrganizationMemberEntity & {
  organization: OrganizationEntity;
};

/** Reads organizations from the read models, as one given user sees them or for services. */
@Injectable()
export class OrganizationsQuery {
  constructor(
    @InjectRepository(OrganizationEntity)
    private readonly organizations: Repository<OrganizationEntity>,
    @InjectRepository(OrganizationMemberEntity)
    private readonly members: Repository<OrganizationMemberEntity>,
  ) {}

  /** null unless the user is a member: other organizations are not revealed to exist */
  async findAsMember(
    organizationId: string,
    userId: string,
  ): Promise<{ organization: OrganizationEntity; role: OrganizationRole } | null> {
    const membership = await this.members.findOne({
      where: { organizationId, userId },
      relations: { organization: true },
    });
    if (!membership?.organization) return null;
    return { organization: membership.organization, role: membership.role };
  }

  /** For services, which act for no user; null for an unknown or deleted organization. */
  find(organizationId: string): Promise<OrganizationEntity | null> {
    return this.organizations.findOneBy({ id: organizationId });
  }

  /** The user's organizations in the order they joined them. */
  async pageOfMember(
    userId: string,
    request: PageRequest,
  ): Promise<{ rows: MembershipWithOrganization[]; page: PageInfo }> {
    const query = this.members
      .createQueryBuilder('membership')
      .innerJoinAndSelect('membership.organization', 'organization')
      .where('membership.userId = :userId', { userId });
    const rows = await keysetPage(
      query,
      ['membership.joinedAt', 'membership.organizationId'],
      request,
    ).getMany();
    return toPage(rows as MembershipWithOrganization[], request, (row) => ({
      at: row.joinedAt,
      id: row.organizationId,
    }));
  }
}
