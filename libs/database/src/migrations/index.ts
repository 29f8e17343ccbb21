import { CreateSchema1763800000000 } from './1763800000000-CreateSchema';

/** Appended by hand, in order. */
export const MIGRATIONS = [CreateSchema1763800000000];
