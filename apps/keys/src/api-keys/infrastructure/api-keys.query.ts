import { Injectable } from '@nestjs/common';
import { keysetPage, toPage } from '@orgplane/event-sourcing';
import { InjectRepository } from '@nestjs/typeorm';
import type { PageInfo, PageRequest } from '@orgplane/contracts';
import type { Repository, SelectQueryBuilder } from 'typeorm';
import { MemberProfileEntity } from '../../profiles';
import { ApiKeyUsageEntity } from './api-key-usage.entity';
import { ApiKeyEntity } from './api-key.entity';

export interface ApiKeyFilter {
  organizationId: string;
  /** null: every member's (all=true) */
  ownerUserId: string | null;
  projectId?: string;
}

@Injectable()
export class ApiKeysQuery {
  constructor(@InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>) {}

  /** Oldest first (the order they were created in), revoked and expired ones included. */
  async page(
    { organizationId, ownerUserId, projectId }: ApiKeyFilter,
    request: PageRequest,
  ): Promise<{ rows: ApiKeyEntity[]; page: PageInfo }> {
    const query = this.withUsageAndOwner().where('key.organizationId = :organizationId', {
      organizationId,
    });
    if (ownerUserId) query.andWhere('key.ownerUserId = :ownerUserId', { ownerUserId });
    if (projectId) query.andWhere('key.projectId = :projectId', { projectId });
    const rows = await keysetPage(query, ['key.createdAt', 'key.id'], request).getMany();
    return toPage(rows, request, (row) => ({ at: row.createdAt, id: row.id }));
  }

  find(keyId: string): Promise<ApiKeyEntity | null> {
    return this.withUsageAndOwner().where('key.id = :keyId', { keyId }).getOne();
  }

  /**
   * The unrevoked key whose current or previous secret hashes to `keyHash`: one query, served by
   * the two hash indexes. Whether that secret still works is the domain's call.
   */
  findUnrevokedByHash(keyHash: string): Promise<ApiKeyEntity | null> {
    return this.keys
      .createQueryBuilder('key')
      .where('(key.keyHash = :keyHash OR key.previousKeyHash = :keyHash)', { keyHash })
      .andWhere('key.revokedAt IS NULL')
      .getOne();
  }

  private withUsageAndOwner(): SelectQueryBuilder<ApiKeyEntity> {
    return this.keys
      .createQueryBuilder('key')
      .leftJoinAndMapOne('key.usage', ApiKeyUsageEntity, 'usage', 'usage.keyId = key.id')
      .leftJoinAndMapOne(
        'key.owner',
        MemberProfileEntity,
        'owner',
        'owner.userId = key.ownerUserId',
      );
  }
}
