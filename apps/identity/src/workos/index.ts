export { WorkosModule } from './application/workos.module';
export { Workos } from './infrastructure/workos';
export { WorkosJwks } from './infrastructure/workos-jwks';
