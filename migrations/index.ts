import { InitialSchema1763856000000 } from './1763856000000-InitialSchema';

/** Every migration, oldest first. A new migration file is added here too. */
export const MIGRATIONS = [InitialSchema1763856000000];
