import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** The open alarm of a key: the level it reached, until when, and the warning it raised (null until ingested). */
export interface SensorAlarmRow {
  warning_id: string | null;
  level: number;
  expires_at: Date;
}

/**
 * The only writer of `sensor_alarms`, one open alarm per key (a station measure, a fire area): claimed at a level under
 * the key's advisory lock, given the warning it raised, or put back as it was when nothing was ingested. The caller
 * passes its manager (its transaction's, where it runs in one).
 */
@Injectable()
export class SensorAlarmsRepository {
  /** Serialises the decisions on one key until the transaction ends. */
  async lock(tx: EntityManager, key: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`sensor-alarm:${key}`]);
  }

  async find(manager: EntityManager, key: string): Promise<SensorAlarmRow | null> {
    const [open] = await manager.query<SensorAlarmRow[]>(
      `SELECT warning_id, level, expires_at FROM sensor_alarms WHERE key = $1`,
      [key],
    );
    return open ?? null;
  }

  /** The key's alarm at this level until `expires`; the warning it raised stays until a new one is ingested. */
  async claim(manager: EntityManager, key: string, level: number, expires: Date, now: Date): Promise<void> {
    await manager.query(
      `INSERT INTO sensor_alarms (key, warning_id, level, expires_at, updated_at) VALUES ($1, NULL, $2, $3, $4)
       ON CONFLICT (key) DO UPDATE SET level = EXCLUDED.level, expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at`,
      [key, level, expires, now],
    );
  }

  async setWarning(manager: EntityManager, key: string, warningId: string): Promise<void> {
    await manager.query(`UPDATE sensor_alarms SET warning_id = $2 WHERE key = $1`, [key, warningId]);
  }

  /** The alarm as it was before a claim (none: the key has no alarm again). */
  async putBack(manager: EntityManager, key: string, previous: SensorAlarmRow | null): Promise<void> {
    await (previous
      ? manager.query(`UPDATE sensor_alarms SET level = $2, expires_at = $3, warning_id = $4 WHERE key = $1`, [
          key,
          previous.level,
          previous.expires_at,
          previous.warning_id,
        ])
      : manager.query(`DELETE FROM sensor_alarms WHERE key = $1`, [key]));
  }
}
