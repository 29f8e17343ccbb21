import { EntityManager } from 'typeorm';
import { CapReference } from './cap/normalized-alert';

/** The CAP reference (sender, identifier, sent) of a stored warning, for an Update that continues its chain. */
export async function warningReference(manager: EntityManager, warningId: string): Promise<CapReference | null> {
  const [row] = await manager.query<CapReference[]>(`SELECT sender, identifier, sent FROM warnings WHERE id = $1`, [
    warningId,
  ]);
  return row ?? null;
}
