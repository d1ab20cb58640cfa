import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { MemberProfileEntity } from './member-profile.entity';

@Injectable()
export class MemberProfilesQuery {
  constructor(
    @InjectRepository(MemberProfileEntity)
    private readonly profiles: Repository<MemberProfileEntity>,
  ) {}

  /** null while the identity service has told nothing about the user */
  find(userId: string): Promise<MemberProfileEntity | null> {
    return this.profiles.findOneBy({ userId });
  }
}
