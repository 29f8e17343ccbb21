import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { codeInRegionSql } from './region.sql';

/** A risk zone's evacuation started under a warning, with what the zone plans to move (转移谁). */
export interface NewEvacuationRow {
  chainId: string;
  warningId: string;
  riskZoneId: string;
  shelterId: string | null;
  organiserPersonId: string | null;
  planned: { households: number; persons: number; special: number };
  startedBy: string;
  startedAt: Date;
}

/** An evacuation locked for a report or the return. */
export interface LockedEvacuation {
  id: string;
  chain_id: string;
  warning_id: string;
  state: 'in_progress' | 'return_authorised';
  shelter_id: string | null;
}

/** A head count moved to a shelter (如何管). */
export interface EvacuationReportRow {
  evacuationId: string;
  shelterId: string | null;
  households: number;
  persons: number;
  note: string | null;
  reportedBy: string;
  reportedAt: Date;
}

/**
 * The only writer of `evacuations` and their `evacuation_reports`: one evacuation per risk zone and warning chain,
 * the head counts reported per shelter, and the authorised return. The caller passes its transaction's manager.
 */
@Injectable()
export class EvacuationsRepository {
  /** Starts the zone's evacuation in the chain; one already started stands (created: false, its id). */
  async start(manager: EntityManager, e: NewEvacuationRow): Promise<{ id: string; created: boolean }> {
    const [row] = await manager.query<Array<{ id: string }>>(
      `INSERT INTO evacuations (chain_id, warning_id, risk_zone_id, shelter_id, organiser_person_id, planned_households,
                                planned_persons, planned_special, started_by, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (chain_id, risk_zone_id) DO NOTHING RETURNING id`,
      [
        e.chainId,
        e.warningId,
        e.riskZoneId,
        e.shelterId,
        e.organiserPersonId,
        e.planned.households,
        e.planned.persons,
        e.planned.special,
        e.startedBy,
        e.startedAt,
      ],
    );
    if (row) {
      return { id: row.id, created: true };
    }
    const [existing] = await manager.query<Array<{ id: string }>>(
      `SELECT id FROM evacuations WHERE chain_id = $1 AND risk_zone_id = $2`,
      [e.chainId, e.riskZoneId],
    );
    return { id: existing.id, created: false };
  }

  /** Locks an evacuation whose zone lies in the region; null when there is none. */
  async lockInRegion(manager: EntityManager, id: string, region: string): Promise<LockedEvacuation | null> {
    const [evac] = await manager.query<LockedEvacuation[]>(
      `SELECT e.id, e.chain_id, e.warning_id, e.state, e.shelter_id FROM evacuations e JOIN risk_zones z ON z.id = e.risk_zone_id
       WHERE e.id = $1 AND ${codeInRegionSql('z.admin_unit_code', '$2')} FOR UPDATE OF e`,
      [id, region],
    );
    return evac ?? null;
  }

  /**
   * Locks the first evacuation started, and still in progress, for one of these zones in the warning's chain; null
   * when there is none.
   */
  async lockInProgressFor(
    manager: EntityManager,
    warningId: string,
    zoneIds: string[],
  ): Promise<{ id: string; shelter_id: string | null } | null> {
    const [evac] = await manager.query<Array<{ id: string; shelter_id: string | null }>>(
      `SELECT e.id, e.shelter_id FROM evacuations e JOIN warnings w ON w.chain_id = e.chain_id
       WHERE w.id = $1 AND e.state = 'in_progress' AND e.risk_zone_id::text = ANY($2::text[])
       ORDER BY e.started_at LIMIT 1 FOR UPDATE OF e`,
      [warningId, zoneIds],
    );
    return evac ?? null;
  }

  /** Returns the report's id. */
  async addReport(manager: EntityManager, r: EvacuationReportRow): Promise<string> {
    const [row] = await manager.query<Array<{ id: string }>>(
      `INSERT INTO evacuation_reports (evacuation_id, shelter_id, households, persons, note, reported_by, reported_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [r.evacuationId, r.shelterId, r.households, r.persons, r.note, r.reportedBy, r.reportedAt],
    );
    return row.id;
  }

  /** in_progress → return_authorised (严防私自回流: the caller has checked that the chain is no longer live). */
  async authoriseReturn(manager: EntityManager, id: string, actor: string, now: Date): Promise<void> {
    await manager.query(
      `UPDATE evacuations SET state = 'return_authorised', return_authorised_at = $2, return_authorised_by = $3 WHERE id = $1`,
      [id, now, actor],
    );
  }
}
