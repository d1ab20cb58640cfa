export { ResolutionModule } from './application/resolution.module';
