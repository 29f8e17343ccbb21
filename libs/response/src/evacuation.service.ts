import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, ConflictError, NotFoundError, ValidationError } from '@app/common';
import { codeInRegionSql, EvacuationsRepository, EventLog, inRegionSql } from '@app/database';

export interface ZoneProgress {
  evacuationId: string;
  chainId: string;
  riskZoneId: string;
  zoneName: string;
  unitCode: string;
  state: string;
  organiser: string | null;
  planned: { households: number; persons: number; special: number };
  moved: { households: number; persons: number; special: number };
  shelters: Array<{
    shelterId: string | null;
    name: string | null;
    capacity: number | null;
    households: number;
    persons: number;
  }>;
  returnAuthorisedAt: Date | null;
}

const REGION = (param: string) => codeInRegionSql('z.admin_unit_code', param);

/**
 * Evacuation per risk zone and warning chain, the five links: 转移谁 (the zone's threatened households and persons,
 * its special-group residents), 谁组织 (organiser), 何时转 (started under which warning), 转到哪 (shelters),
 * 如何管 (head counts reported per shelter). Return only on an explicit authorisation after the warning is lifted.
 */
@Injectable()
export class EvacuationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly evacuations: EvacuationsRepository,
    private readonly events: EventLog,
    private readonly clock: Clock,
  ) {}

  async start(
    input: { warningId: string; riskZoneId: string; shelterId?: string | null; organiserPersonId?: string | null },
    region: string,
    actor: string,
  ) {
    const now = this.clock.now();
    return this.dataSource.transaction(async (tx) => {
      const [w] = await tx.query<Array<{ chain_id: string; state: string }>>(
        `SELECT w.chain_id, w.state FROM warnings w WHERE w.id = $1 AND ${inRegionSql('w', '$2')}`,
        [input.warningId, region],
      );
      const [zone] = await tx.query<Array<{ id: string; households: number; persons: number; special: number }>>(
        `SELECT z.id, z.threatened_households AS households, z.threatened_persons AS persons,
                (SELECT count(*) FROM special_residents r WHERE r.risk_zone_id = z.id)::int AS special
         FROM risk_zones z WHERE z.id = $1 AND ${REGION('$2')}`,
        [input.riskZoneId, region],
      );
      if (!w || !zone) {
        throw new NotFoundError('预警或风险区不存在或不在辖区内 (warning or zone not found)');
      }
      if (!['received', 'matching', 'tracking'].includes(w.state)) {
        throw new ConflictError('该预警版本已不在生效状态，请对最新版本启动转移 (warning version not live)');
      }
      const started = await this.evacuations.start(tx, {
        chainId: w.chain_id,
        warningId: input.warningId,
        riskZoneId: zone.id,
        shelterId: input.shelterId ?? null,
        organiserPersonId: input.organiserPersonId ?? null,
        planned: { households: zone.households, persons: zone.persons, special: zone.special },
        startedBy: actor,
        startedAt: now,
      });
      if (started.created) {
        await this.events.append(
          {
            type: 'EvacuationStarted',
            warningId: input.warningId,
            actor,
            data: { evacuationId: started.id, riskZoneId: zone.id },
          },
          tx,
        );
      }
      return started;
    });
  }

  async report(
    evacuationId: string,
    input: { shelterId?: string | null; households: number; persons: number; note?: string | null },
    region: string,
    actor: string,
  ) {
    if (input.households < 0 || input.persons < 0 || input.households > input.persons) {
      throw new ValidationError('户数、人数须为非负整数，且户数不大于人数 (invalid head count)');
    }
    const now = this.clock.now();
    return this.dataSource.transaction(async (tx) => {
      const evac = await this.lockEvacuation(tx, evacuationId, region);
      if (evac.state !== 'in_progress') {
        throw new ConflictError('已批准返回，不再上报转移人数 (return already authorised)');
      }
      await this.evacuations.addReport(tx, {
        evacuationId,
        shelterId: input.shelterId ?? evac.shelter_id,
        households: input.households,
        persons: input.persons,
        note: input.note ?? null,
        reportedBy: actor,
        reportedAt: now,
      });
      await this.events.append(
        { type: 'EvacuationReported', warningId: evac.warning_id, actor, data: { evacuationId, ...input } },
        tx,
      );
      return this.progressOf((sql, params) => tx.query(sql, params), region, evacuationId);
    });
  }

  /** 严防私自回流: return only once no version of the warning chain is live any more. */
  async authoriseReturn(evacuationId: string, region: string, actor: string) {
    const now = this.clock.now();
    return this.dataSource.transaction(async (tx) => {
      const evac = await this.lockEvacuation(tx, evacuationId, region);
      const [live] = await tx.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM warnings WHERE chain_id = $1 AND state IN ('received','matching','tracking')`,
        [evac.chain_id],
      );
      if (live.n > 0) {
        throw new ConflictError('预警尚未解除，不得批准返回（严防私自回流）(warning still live)');
      }
      if (evac.state === 'return_authorised') {
        return { id: evacuationId, state: evac.state, already: true };
      }
      await this.evacuations.authoriseReturn(tx, evacuationId, actor, now);
      await this.events.append(
        { type: 'EvacuationReturnAuthorised', warningId: evac.warning_id, actor, data: { evacuationId } },
        tx,
      );
      return { id: evacuationId, state: 'return_authorised', already: false };
    });
  }

  async progress(region: string, evacuationId?: string): Promise<ZoneProgress[]> {
    return this.progressOf((sql, params) => this.dataSource.query(sql, params), region, evacuationId);
  }

  private async lockEvacuation(tx: EntityManager, id: string, region: string) {
    const evac = await this.evacuations.lockInRegion(tx, id, region);
    if (!evac) {
      throw new NotFoundError(`evacuation ${id} not found（转移记录不存在）`);
    }
    return evac;
  }

  private async progressOf(query: Query, region: string, evacuationId?: string): Promise<ZoneProgress[]> {
    return query<ZoneProgress[]>(
      `SELECT e.id AS "evacuationId", e.chain_id AS "chainId", z.id AS "riskZoneId", z.name AS "zoneName",
              z.admin_unit_code AS "unitCode", e.state, o.name AS organiser, e.return_authorised_at AS "returnAuthorisedAt",
              json_build_object('households', e.planned_households, 'persons', e.planned_persons, 'special', e.planned_special) AS planned,
              json_build_object('households', coalesce(sum(r.households), 0), 'persons', coalesce(sum(r.persons), 0),
                'special', (SELECT count(DISTINCT c.special_resident_id) FROM resident_confirmations c
                            JOIN special_residents sr ON sr.id = c.special_resident_id JOIN warnings cw ON cw.id = c.warning_id
                            WHERE sr.risk_zone_id = z.id AND cw.chain_id = e.chain_id AND c.evacuation_arranged_at IS NOT NULL)) AS moved,
              coalesce((SELECT json_agg(json_build_object('shelterId', s.shelter_id, 'name', sh.name, 'capacity', sh.capacity,
                          'households', s.households, 'persons', s.persons))
                        FROM (SELECT shelter_id, sum(households)::int AS households, sum(persons)::int AS persons
                              FROM evacuation_reports WHERE evacuation_id = e.id GROUP BY shelter_id) s
                        LEFT JOIN shelters sh ON sh.id = s.shelter_id), '[]') AS shelters
       FROM evacuations e JOIN risk_zones z ON z.id = e.risk_zone_id LEFT JOIN persons o ON o.id = e.organiser_person_id
       LEFT JOIN evacuation_reports r ON r.evacuation_id = e.id
       WHERE ${REGION('$1')} AND ($2::uuid IS NULL OR e.id = $2)
       GROUP BY e.id, z.id, o.name ORDER BY e.started_at, z.code`,
      [region, evacuationId ?? null],
    );
  }
}

type Query = <T>(sql: string, params?: unknown[]) => Promise<T>;
