import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ActiveOrganizationEntity } from './active-organization.entity';

@Injectable()
export class ActiveOrganizationsQuery {
  constructor(
    @InjectRepository(ActiveOrganizationEntity)
    private readonly activeOrganizations: Repository<ActiveOrganizationEntity>,
  ) {}

  /** The organization the user last switched to, whether or not they still belong to it. */
  async chosenBy(userId: string): Promise<string | null> {
    const row = await this.activeOrganizations.findOneBy({ userId });
    return row?.organizationId ?? null;
  }
}
