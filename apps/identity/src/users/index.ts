import { UserEntity } from './infrastructure/user.entity';
import { usersProjection } from './infrastructure/users.projection';

export { UsersModule } from './application/users.module';
export const userEntities = [UserEntity];
export const userProjections = [usersProjection];
