import { Injectable } from '@nestjs/common';
import { keysetPage, toPage } from '@orgplane/event-sourcing';
import { InjectRepository } from '@nestjs/typeorm';
import type { PageInfo, PageRequest } from '@orgplane/contracts';
import type { Repository } from 'typeorm';
import { SshKeyEntity } from './ssh-key.entity';

export interface SshKeyFilter {
  organizationId: string;
  /** null: every member's (all=true) */
  ownerUserId: string | null;
  projectId?: string;
}

@Injectable()
export class SshKeysQuery {
  constructor(@InjectRepository(SshKeyEntity) private readonly keys: Repository<SshKeyEntity>) {}

  /** Oldest first (the order they were added in). */
  async page(
    { organizationId, ownerUserId, projectId }: SshKeyFilter,
    request: PageRequest,
  ): Promise<{ rows: SshKeyEntity[]; page: PageInfo }> {
    const query = this.keys
      .createQueryBuilder('key')
      .where('key.organizationId = :organizationId', { organizationId });
    if (ownerUserId) query.andWhere('key.ownerUserId = :ownerUserId', { ownerUserId });
    if (projectId) query.andWhere('key.projectId = :projectId', { projectId });
    const rows = await keysetPage(query, ['key.createdAt', 'key.id'], request).getMany();
    return toPage(rows, request, (row) => ({ at: row.createdAt, id: row.id }));
  }

  find(sshKeyId: string): Promise<SshKeyEntity | null> {
    return this.keys.findOneBy({ id: sshKeyId });
  }
}
