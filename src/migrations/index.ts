import { InitialSchema1732200000000 } from './1732200000000-initial-schema';

/** Every migration, oldest first. Registered explicitly so the bundle needs no glob at run time. */
export const MIGRATIONS = [InitialSchema1732200000000];
