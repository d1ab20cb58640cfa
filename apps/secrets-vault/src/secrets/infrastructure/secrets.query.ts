import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type {
  PageInfo,
  PageRequest,
  SecretCategory,
  SecretScope,
  SecretStatus,
} from '@orgplane/contracts';
import { keysetPage, toPage } from '@orgplane/event-sourcing';
import { Brackets, type Repository } from 'typeorm';
import { SecretEntity } from './secret.entity';

export interface SecretFilter {
  organizationId: string;
  status: SecretStatus;
  /** private secrets: this member's, every member's (`all`), or none */
  privateOf: string | 'all' | null;
  /** the organization's own (org-shared) secrets too */
  orgShared: boolean;
  category?: SecretCategory;
  scope?: SecretScope;
}

@Injectable()
export class SecretsQuery {
  constructor(@InjectRepository(SecretEntity) private readonly secrets: Repository<SecretEntity>) {}

  /** By name, then id (a private secret and an org-shared one may share a name). */
  async page(
    { organizationId, status, privateOf, orgShared, category, scope }: SecretFilter,
    request: PageRequest,
  ): Promise<{ rows: SecretEntity[]; page: PageInfo }> {
    const query = this.secrets
      .createQueryBuilder('secret')
      .where('secret.organizationId = :organizationId', { organizationId })
      .andWhere('secret.status = :status', { status })
      .andWhere(
        new Brackets((owners) => {
          // Always one condition, so that a filter that keeps nothing finds nothing.
          owners.where('false');
          if (privateOf === 'all') owners.orWhere('secret.ownerUserId IS NOT NULL');
          else if (privateOf) owners.orWhere('secret.ownerUserId = :privateOf', { privateOf });
          if (orgShared) owners.orWhere('secret.ownerUserId IS NULL');
        }),
      );
    if (category) query.andWhere('secret.category = :category', { category });
    if (scope) query.andWhere('secret.scope = :scope', { scope });
    const rows = await keysetPage(query, ['secret.name', 'secret.id'], request, {
      by: 'name',
    }).getMany();
    return toPage(rows, request, (row) => ({ name: row.name, id: row.id }));
  }

  find(secretId: string): Promise<SecretEntity | null> {
    return this.secrets.findOneBy({ id: secretId });
  }
}
