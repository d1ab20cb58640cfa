import { Module } from '@nestjs/common';
import { SecretsModule } from '../../secrets';
import { MemberRemovalReaction } from './member-removal.reaction';

@Module({ imports: [SecretsModule], providers: [MemberRemovalReaction] })
export class MemberRemovalModule {}
