import { Module } from '@nestjs/common';
import { MemberRemovalReaction } from './member-removal.reaction';

@Module({ providers: [MemberRemovalReaction] })
export class MemberRemovalModule {}
