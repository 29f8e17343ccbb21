import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import { SensorAlarmsRepository } from '@app/database';
import { AlertIngestService, IngestOutcome } from '../alert-ingest.service';
import { CapReference } from '../cap/normalized-alert';
import { ComposedWarning, composeAlert } from '../compose-alert';
import { warningReference } from '../warning-reference';
import { ThresholdHit } from './thresholds';

export interface AlarmResult {
  /** none: no threshold reached; unchanged: the open warning already covers it; raised/upgraded: a warning was ingested. */
  action: 'none' | 'unchanged' | 'raised' | 'upgraded';
  colour: string | null;
  warningId: string | null;
  outcome?: IngestOutcome;
  /** The warning waits for the desk's 研判 (TRIAGE_HOLD) before anyone is called. */
  held?: boolean;
}

/** What the caller composes for a hit: everything but identity, references and time. */
export type AlarmWarning = Omit<ComposedWarning, 'identifier' | 'sent' | 'references' | 'colour' | 'expires'>;

/**
 * Keeps one open warning chain per alarm key (a station measure, a fire area). A hit at the open level or below
 * changes nothing; a more severe hit sends an Update on the chain; a hit after the warning expired starts a new one.
 * Decisions are serialised per key with an advisory lock, so concurrent readings cannot both start a chain.
 */
@Injectable()
export class SensorAlarmService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sensorAlarms: SensorAlarmsRepository,
    private readonly ingest: AlertIngestService,
    private readonly clock: Clock,
  ) {}

  async apply(
    key: string,
    hit: ThresholdHit | null,
    expires: Date,
    warning: AlarmWarning,
    actor: string,
  ): Promise<AlarmResult> {
    if (hit === null) {
      return { action: 'none', colour: null, warningId: null };
    }
    const now = this.clock.now();
    const claim = await this.dataSource.transaction(async (tx) => {
      await this.sensorAlarms.lock(tx, key);
      const open = await this.sensorAlarms.find(tx, key);
      const active = open !== null && open.expires_at.getTime() > now.getTime();
      if (active && hit.level >= open.level) {
        return { kind: 'unchanged' as const, warningId: open.warning_id };
      }
      const reference = active && open.warning_id ? await warningReference(tx, open.warning_id) : null;
      await this.sensorAlarms.claim(tx, key, hit.level, expires, now);
      return { kind: 'claimed' as const, reference, previous: open };
    });
    if (claim.kind === 'unchanged') {
      return { action: 'unchanged', colour: hit.colour, warningId: claim.warningId };
    }
    const references: CapReference[] = claim.reference ? [claim.reference] : [];
    const alert = composeAlert({
      ...warning,
      identifier: `${key.replace(/[^A-Za-z0-9._-]/g, '-')}-l${hit.level}-${now.getTime()}`,
      sent: now,
      references,
      colour: hit.colour,
      expires,
    });
    try {
      const result = await this.ingest.ingest(alert, { source: 'sensor', actor });
      await this.sensorAlarms.setWarning(this.dataSource.manager, key, result.id);
      return {
        action: references.length > 0 ? 'upgraded' : 'raised',
        colour: hit.colour,
        warningId: result.id,
        outcome: result.outcome,
        held: result.held,
      };
    } catch (e) {
      // Nothing was ingested: put the alarm back as it was so the next reading decides afresh.
      await this.sensorAlarms.putBack(this.dataSource.manager, key, claim.previous);
      throw e;
    }
  }
}
