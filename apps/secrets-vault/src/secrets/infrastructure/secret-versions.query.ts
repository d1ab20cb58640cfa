import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { PageInfo, PageRequest } from '@orgplane/contracts';
import { keysetPage, toPage } from '@orgplane/event-sourcing';
import type { Repository } from 'typeorm';
import { SecretVersionEntity } from './secret-version.entity';

@Injectable()
export class SecretVersionsQuery {
  constructor(
    @InjectRepository(SecretVersionEntity)
    private readonly versions: Repository<SecretVersionEntity>,
  ) {}

  /** The versions one secret keeps, newest first. */
  async page(
    secretId: string,
    request: PageRequest,
  ): Promise<{ rows: SecretVersionEntity[]; page: PageInfo }> {
    const query = this.versions
      .createQueryBuilder('version')
      .where('version.secretId = :secretId', { secretId });
    const rows = await keysetPage(query, ['version.createdAt', 'version.eventId'], request, {
      descending: true,
    }).getMany();
    return toPage(rows, request, (row) => ({ at: row.createdAt, id: row.eventId }));
  }
}
