import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { OrganizationRole } from '@orgplane/contracts';
import type { Repository } from 'typeorm';
import { OrganizationMemberEntity } from './organization-member.entity';
import type { OrganizationEntity } from './organization.entity';

/** Reads organizations from the read models, always as one given user sees them. */
@Injectable()
export class OrganizationsQuery {
  constructor(
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
}
