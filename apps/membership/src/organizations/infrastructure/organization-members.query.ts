import { Injectable } from '@nestjs/common';
import { keysetPage, toPage } from '@orgplane/event-sourcing';
import { InjectRepository } from '@nestjs/typeorm';
import type { OrganizationRole, PageInfo, PageRequest } from '@orgplane/contracts';
import type { Repository } from 'typeorm';
import { OrganizationMemberEntity } from './organization-member.entity';

@Injectable()
export class OrganizationMembersQuery {
  constructor(
    @InjectRepository(OrganizationMemberEntity)
    private readonly members: Repository<OrganizationMemberEntity>,
  ) {}

  /** In the order they joined, with their profiles; only those with `role` when given. */
  async page(
    organizationId: string,
    role: OrganizationRole | undefined,
    request: PageRequest,
  ): Promise<{ rows: OrganizationMemberEntity[]; page: PageInfo }> {
    const query = this.members
      .createQueryBuilder('member')
      .leftJoinAndSelect('member.profile', 'profile')
      .where('member.organizationId = :organizationId', { organizationId });
    if (role) query.andWhere('member.role = :role', { role });
    const rows = await keysetPage(query, ['member.joinedAt', 'member.userId'], request).getMany();
    return toPage(rows, request, (row) => ({ at: row.joinedAt, id: row.userId }));
  }

  /** Every membership of the user, oldest first. */
  membershipsOf(userId: string): Promise<OrganizationMemberEntity[]> {
    return this.members.find({
      where: { userId },
      order: { joinedAt: 'ASC', organizationId: 'ASC' },
    });
  }
}
