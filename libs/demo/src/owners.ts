import { ContactMethodsRepository, GeographyRepository, RosterRepository } from '@app/database';

// The demo writes its rows through their owners (table-ownership.spec.ts). They hold no state and the demo runs
// outside Nest (CLI, tests, benchmarks), so one plain instance of each serves every seeder.
export const ROSTER = new RosterRepository();
export const CONTACTS = new ContactMethodsRepository();
export const GEO = new GeographyRepository();
