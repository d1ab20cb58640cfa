import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { PageInfo, PageRequest } from '@orgplane/contracts';
import { keysetPage, toPage } from '@orgplane/event-sourcing';
import type { Repository } from 'typeorm';
import { SecretAccessEntity } from './secret-access.entity';

@Injectable()
export class SecretAccessQuery {
  constructor(
    @InjectRepository(SecretAccessEntity)
    private readonly access: Repository<SecretAccessEntity>,
  ) {}

  /** The reveals and resolutions of one secret, newest first. */
  async page(
    secretId: string,
    request: PageRequest,
  ): Promise<{ rows: SecretAccessEntity[]; page: PageInfo }> {
    const query = this.access
      .createQueryBuilder('access')
      .where('access.secretId = :secretId', { secretId });
    const rows = await keysetPage(query, ['access.at', 'access.eventId'], request, {
      descending: true,
    }).getMany();
    return toPage(rows, request, (row) => ({ at: row.at, id: row.eventId }));
  }
}
