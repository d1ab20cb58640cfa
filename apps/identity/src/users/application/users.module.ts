import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionTokensModule } from '../../session-tokens/session-tokens.module';
import { UserEntity } from '../infrastructure/user.entity';
import { UsersHandlers } from './users.handlers';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity]), SessionTokensModule],
  controllers: [UsersHandlers],
})
export class UsersModule {}
