import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProjectsModule } from '../../projects';
import { SshKeyEntity } from '../infrastructure/ssh-key.entity';
import { SshKeysQuery } from '../infrastructure/ssh-keys.query';
import { SshKeysHandlers } from './ssh-keys.handlers';

@Module({
  imports: [TypeOrmModule.forFeature([SshKeyEntity]), ProjectsModule],
  controllers: [SshKeysHandlers],
  providers: [SshKeysQuery],
})
export class SshKeysModule {}
