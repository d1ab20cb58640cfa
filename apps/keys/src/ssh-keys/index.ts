import { SshKeyEntity } from './infrastructure/ssh-key.entity';
import { sshKeysProjection } from './infrastructure/ssh-keys.projection';

export { SshKeysModule } from './application/ssh-keys.module';
export const sshKeyEntities = [SshKeyEntity];
export const sshKeyTables = [sshKeysProjection];
