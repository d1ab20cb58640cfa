import { combinedProjection } from '@orgplane/projections';
import { secretEntities, secretTables } from './secrets';

export const secretsVaultEntities = [...secretEntities];

/**
 * One runner for the tables queries read (secrets, their kept versions, their access log): each
 * active runner holds a connection of the read-model pool for as long as it runs.
 */
export const secretsVaultProjections = [combinedProjection('secrets_vault', [...secretTables])];
