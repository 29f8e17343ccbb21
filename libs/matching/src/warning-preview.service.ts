import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ForbiddenError, maskPhone, ValidationError } from '@app/common';
import { APP_CONFIG, AppConfig, LadderRung, LEVEL_ZH, reasonText, tierSpec } from '@app/config';
import type { CallReason } from '@app/database';
import { AreaMatch, AreaMatcher } from './area-matcher';
import { specForMatch } from './match-warning.service';
import { checkDraft } from './preview-draft';
import { RecipientResolver } from './recipient-resolver';
import { ResponseSpecStore } from './response-spec.store';

export interface PersonRef {
  personId: string;
  name: string;
  title: string | null;
}

/** Where a person sits: their unit, and the town and village it belongs to. */
export interface PersonPlace {
  organization: string | null;
  unitCode: string;
  unitName: string;
  townCode: string | null;
  townName: string | null;
  villageCode: string | null;
  villageName: string | null;
}

export interface PreviewRecipient extends PersonRef, PersonPlace {
  tier: number;
  tierName: string;
  requiresAck: boolean;
  ackDeadlineMin: number;
  ladder: LadderRung[];
  mobile: string | null;
  reachable: boolean;
  /** Why this person cannot be reached, when not reachable. */
  contactProblem: string | null;
  reasons: Array<CallReason & { text: string }>;
  escalationPath: PersonRef[][];
}

export interface WarningPreview {
  specVersion: number;
  hazardType: string;
  level: string;
  levelZh: string;
  requiresAck: boolean;
  publicBroadcast: boolean;
  tiers: Array<{ tier: number; name: string; requiresAck: boolean; ackDeadlineMin: number; ladder: LadderRung[] }>;
  matched: {
    zones: Array<{ code: string; name: string; unitCode: string }>;
    objects: Array<{ code: string; name: string; type: string; unitCode: string }>;
    units: number;
    /** Units the area reaches outside the caller's region, left out of this preview. */
    outsideRegion: number;
  };
  counts: {
    total: number;
    reachable: number;
    unreachable: number;
    byTier: Record<string, number>;
    /** County-level people (sitting in no town). */
    countyLevel: number;
    byTown: Array<{ code: string; name: string; count: number }>;
    byVillage: Array<{ code: string; name: string; townCode: string; count: number }>;
  };
  recipients: PreviewRecipient[];
  /** People with no usable contact: the duty officer must reach them another way before anything is sent. */
  unreachable: Array<
    PersonRef & { unitName: string; contactProblem: string; reasons: string[]; escalationPath: PersonRef[][] }
  >;
}

interface PersonRow extends PersonPlace {
  id: string;
  name: string;
  title: string | null;
  mobile: string | null;
  contacts: number;
  invalidReasons: string | null;
}

/**
 * Who a draft warning would call, and why, at which tier, by which channels and by when; with counts per town and
 * village and the people nobody can reach. Runs in a read-only transaction: nothing is written, nothing is sent.
 */
@Injectable()
export class WarningPreviewService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly areas: AreaMatcher,
    private readonly recipients: RecipientResolver,
    private readonly specs: ResponseSpecStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async preview(draft: unknown, opts: { regionCode?: string; today?: string } = {}): Promise<WarningPreview> {
    const region = opts.regionCode ?? '500000';
    const today = opts.today ?? new Date().toISOString().slice(0, 10);
    return this.dataSource.transaction(async (tx) => {
      await tx.query('SET TRANSACTION READ ONLY');
      const specs = await this.specs.peek(tx);
      const d = checkDraft(draft, Object.keys(specs.hazardSectors));
      const foreign = d.area.codes.filter((c) => !inRegion(c, region));
      if (foreign.length > 0) {
        throw new ForbiddenError(`division codes ${foreign.join(', ')} are outside your region ${region}（超出辖区）`);
      }
      await checkPolygons(tx, d.area.polygons);
      const warning = { hazardType: d.hazardType, level: d.level, areaCodes: d.area.codes };
      const tables = specForMatch(specs, warning, null, this.config.timers.scale);
      const { match, outside } = withinRegion(
        await this.areas.matchArea(tx, d.area, tables.zoneKinds, tables.objectTypes),
        region,
      );
      const spec = specForMatch(specs, warning, match, this.config.timers.scale);
      const people = await this.recipients.resolve(tx, match, spec, today);
      const ids = new Set(people.map((p) => p.personId));
      new Set(people.map((p) => p.escalationPath)).forEach((path) => path.flat().forEach((id) => ids.add(id)));
      const persons = new Map((await personDetails(tx, [...ids])).map((p) => [p.id, p]));
      const refs = new Map<string, PersonRef>();
      const ref = (id: string): PersonRef => {
        let r = refs.get(id);
        if (!r) {
          const row = persons.get(id);
          r = { personId: id, name: row?.name ?? '?', title: row?.title ?? null };
          refs.set(id, r);
        }
        return r;
      };
      // People on the same path share one array (escalationPaths): named once, not once per person.
      const named = new Map<string[][], PersonRef[][]>();
      const pathOf = (path: string[][]): PersonRef[][] => {
        let n = named.get(path);
        if (!n) {
          n = path.map((step) => step.map(ref));
          named.set(path, n);
        }
        return n;
      };

      const recipients: PreviewRecipient[] = people.map((p) => {
        const row = persons.get(p.personId) as PersonRow;
        const tier = tierSpec(spec, p.tier);
        return {
          personId: p.personId,
          name: row.name,
          title: row.title,
          organization: row.organization,
          unitCode: row.unitCode,
          unitName: row.unitName,
          townCode: row.townCode,
          townName: row.townName,
          villageCode: row.villageCode,
          villageName: row.villageName,
          tier: p.tier,
          tierName: tier.name,
          requiresAck: tier.requiresAck,
          ackDeadlineMin: tier.ackDeadlineMin,
          ladder: tier.ladder,
          mobile: row.mobile ? maskPhone(row.mobile) : null,
          reachable: p.hasContact,
          contactProblem: p.hasContact ? null : contactProblem(row),
          reasons: p.reasons.map((r) => ({ ...r, text: reasonText(r) })),
          escalationPath: pathOf(p.escalationPath),
        };
      });
      recipients.sort(
        (a, b) =>
          a.tier - b.tier ||
          (a.unitCode < b.unitCode ? -1 : a.unitCode > b.unitCode ? 1 : 0) ||
          BY_NAME.compare(a.name, b.name),
      );
      return {
        specVersion: spec.specVersion,
        hazardType: spec.hazard,
        level: spec.level,
        levelZh: d.level === null ? '提示（无需应答）' : `${LEVEL_ZH[spec.level]}预警`,
        requiresAck: spec.requiresAck,
        publicBroadcast: spec.publicBroadcast,
        tiers: spec.tiers.map((t) => ({
          tier: t.tier,
          name: t.name,
          requiresAck: t.requiresAck,
          ackDeadlineMin: t.ackDeadlineMin,
          ladder: t.ladder,
        })),
        matched: {
          zones: match.zones.map(({ code, name, unitCode }) => ({ code, name, unitCode })),
          objects: match.objects.map(({ code, name, type, unitCode }) => ({ code, name, type, unitCode })),
          units: match.unitCodes.length,
          outsideRegion: outside,
        },
        counts: countRecipients(recipients),
        recipients,
        unreachable: recipients
          .filter((r) => !r.reachable)
          .map((r) => ({
            personId: r.personId,
            name: r.name,
            title: r.title,
            unitName: r.unitName,
            contactProblem: r.contactProblem ?? '',
            reasons: r.reasons.map((x) => x.text),
            escalationPath: r.escalationPath,
          })),
      };
    });
  }
}

/** One collator for the sort: `localeCompare(…, 'zh-CN')` builds one per comparison. */
const BY_NAME = new Intl.Collator('zh-CN');

const inRegion = (code: string, region: string) =>
  region === '500000' || code.startsWith(region) || region.startsWith(code);

/** Keeps only what lies in the caller's region; counts the units left out. */
function withinRegion(match: AreaMatch, region: string): { match: AreaMatch; outside: number } {
  if (region === '500000') {
    return { match, outside: 0 };
  }
  const inside = (code: string) => code.startsWith(region);
  return {
    match: {
      zones: match.zones.filter((z) => inside(z.unitCode)),
      objects: match.objects.filter((o) => inside(o.unitCode)),
      unitCodes: match.unitCodes.filter(inside),
    },
    outside: match.unitCodes.filter((c) => !inside(c)).length,
  };
}

async function checkPolygons(tx: EntityManager, polygons: string[]): Promise<void> {
  if (polygons.length === 0) {
    return;
  }
  const rows = await tx.query<Array<{ i: string; reason: string }>>(
    `SELECT i, ST_IsValidReason(ST_GeomFromText(p, 4326)) AS reason FROM unnest($1::text[]) WITH ORDINALITY AS t(p, i)`,
    [polygons],
  );
  const bad = rows.find((r) => r.reason !== 'Valid Geometry');
  if (bad) {
    const field = `area.polygons[${Number(bad.i) - 1}]`;
    throw new ValidationError(`${field}: not a valid polygon: ${bad.reason}（多边形无效，请检查坐标顺序与自相交）`, {
      field,
      problem: bad.reason,
    });
  }
}

async function personDetails(tx: EntityManager, ids: string[]): Promise<PersonRow[]> {
  return tx.query<PersonRow[]>(
    `SELECT p.id, p.name, p.title, p.organization, p.admin_unit_code AS "unitCode", u.name AS "unitName",
            t.code AS "townCode", t.name AS "townName", v.code AS "villageCode", v.name AS "villageName",
            c.mobile, c.contacts, c.invalid_reasons AS "invalidReasons"
     FROM persons p JOIN admin_units u ON u.code = p.admin_unit_code
     -- A person's contacts read once: the first usable phone, how many there are, why the invalid ones failed.
     CROSS JOIN LATERAL (
       SELECT (array_agg(m.address ORDER BY m.priority)
                 FILTER (WHERE m.channel IN ('sms', 'voice') AND m.invalid_at IS NULL))[1] AS mobile,
              count(*)::int AS contacts,
              string_agg(DISTINCT m.invalid_reason, '；') FILTER (WHERE m.invalid_at IS NOT NULL) AS invalid_reasons
       FROM contact_methods m WHERE m.person_id = p.id) c
     LEFT JOIN admin_units t ON length(p.admin_unit_code) >= 9 AND t.code = left(p.admin_unit_code, 9)
     LEFT JOIN admin_units v ON length(p.admin_unit_code) = 12 AND v.code = p.admin_unit_code
     WHERE p.id = ANY($1::uuid[])`,
    [ids],
  );
}

export function contactProblem(row: { contacts: number; invalidReasons: string | null }): string {
  return row.contacts === 0 ? '没有登记任何联系方式' : `联系方式均已失效：${row.invalidReasons ?? '运营商回执'}`;
}

/** Counts per tier, town and village of the people's own units. Pure. */
export function countRecipients(
  recipients: Array<
    Pick<PreviewRecipient, 'tier' | 'reachable' | 'townCode' | 'townName' | 'villageCode' | 'villageName'>
  >,
): WarningPreview['counts'] {
  const byTier: Record<string, number> = {};
  const towns = new Map<string, { code: string; name: string; count: number }>();
  const villages = new Map<string, { code: string; name: string; townCode: string; count: number }>();
  let countyLevel = 0;
  for (const r of recipients) {
    byTier[r.tier] = (byTier[r.tier] ?? 0) + 1;
    if (!r.townCode) {
      countyLevel++;
      continue;
    }
    const town = towns.get(r.townCode) ?? { code: r.townCode, name: r.townName ?? r.townCode, count: 0 };
    town.count++;
    towns.set(r.townCode, town);
    if (r.villageCode) {
      const v = villages.get(r.villageCode) ?? {
        code: r.villageCode,
        name: r.villageName ?? r.villageCode,
        townCode: r.townCode,
        count: 0,
      };
      v.count++;
      villages.set(r.villageCode, v);
    }
  }
  const byCode = (a: { code: string }, b: { code: string }) => (a.code < b.code ? -1 : 1);
  const reachable = recipients.filter((r) => r.reachable).length;
  return {
    total: recipients.length,
    reachable,
    unreachable: recipients.length - reachable,
    byTier,
    countyLevel,
    byTown: [...towns.values()].sort(byCode),
    byVillage: [...villages.values()].sort(byCode),
  };
}
