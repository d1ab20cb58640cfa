export { MemberRemovalModule } from './application/member-removal.module';
