import { NewAssignment, NewContact, NewContracting, NewPerson, NewSpecialResident, TargetType } from '@app/database';
import { demoId, Prng } from './deterministic-id';
import { Division, DivisionTree, isCommunity, TownKind, townKind } from './division-tree';
import { anonymousName, fakeMobile, fakeName } from './names';
import { ObjectPlan, ObjectType } from './protected-objects';
import { SHIZHI_TOWN, ZonePlan } from './risk-zones';

// SYNTHETIC: every person, phone number, mailbox and assignment below is invented. Offices and titles
// follow Chongqing practice (docs/domain.md, roles); the names come from seeded lists (names.ts).

/** The rows the demo loads through RosterRepository / ContactMethodsRepository, narrowed to what it generates. */
export interface PersonRow extends NewPerson {
  key: string;
}

export interface ContactRow extends NewContact {
  channel: 'sms' | 'voice' | 'email';
}

export type AssignmentRow = NewAssignment;

export interface ContractingRow extends NewContracting {
  level: 'county_town' | 'town_village';
}

export interface ResidentRow extends NewSpecialResident {
  groupType: 'elderly_alone' | 'left_behind_child' | 'disabled' | 'bedridden';
}

/** Ids the e2e tests and demos refer to by name. */
export interface RosterNames {
  counties: Record<string, { commanderId: string; dutyOfficerIds: string[] }>;
  shizhi: {
    townCode: string;
    partySecretaryId: string;
    mayorId: string;
    dutyOfficerId: string;
    /** The county leader who contracts (包) 十直镇. */
    countyLeaderId: string;
    /** 汀溪村 (S1 "Village A"). */
    villageCode: string;
    villageDirectorId: string;
    villageSecretaryId: string;
    villageGridWorkerIds: string[];
    villageMonitorId: string;
    /** The town leader who contracts 汀溪村. */
    townLeaderId: string;
  };
  /** Persons with no usable contact method (roster fitness must find them). */
  personsWithoutUsableContact: string[];
  /** Assignments deliberately past their valid_to. */
  expiredAssignmentIds: string[];
}

export interface Roster {
  persons: PersonRow[];
  contacts: ContactRow[];
  assignments: AssignmentRow[];
  contracting: ContractingRow[];
  residents: ResidentRow[];
  names: RosterNames;
}

/** Dates are fixed so reloads are identical; valid since before the S1 flood season (2024-07). */
const VALID_FROM = '2024-01-01';
const PUBLISHED_AT = '2024-04-15T09:00:00+08:00';
const EXPIRED = { validFrom: '2023-01-01', validTo: '2023-12-31' };
const INVALID_AT = '2024-06-20T08:30:00+08:00';
export const DEMO_EMAIL_DOMAIN = 'demo.jiaoying.local';

const TOWN_TITLES: Record<TownKind, { secretary: string; mayor: string; deputies: string[]; word: string }> = {
  street: {
    secretary: '街道党工委书记',
    mayor: '街道办事处主任',
    deputies: ['街道办事处副主任', '街道人大工委主任', '街道武装部部长'],
    word: '街道',
  },
  town: { secretary: '镇党委书记', mayor: '镇长', deputies: ['副镇长', '镇人大主席', '镇武装部部长'], word: '镇' },
  township: { secretary: '乡党委书记', mayor: '乡长', deputies: ['副乡长', '乡人大主席', '乡武装部部长'], word: '乡' },
};

const OPERATOR_TITLES: Record<ObjectType, string> = {
  reservoir: '水库管护员（巡查责任人）',
  hydropower: '电站站长',
  school: '校长',
  mine: '矿长',
  scenic_spot: '景区负责人',
  construction_site: '项目经理',
};

const RESIDENT_LABELS: Record<ResidentRow['groupType'], string> = {
  elderly_alone: '独居老人',
  left_behind_child: '留守儿童',
  disabled: '残疾人',
  bedridden: '重病卧床',
};

/** Splits items into n contiguous chunks of near-equal size (code order = 包干 order). */
export function chunk<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const size = Math.floor(items.length / n) + (i < items.length % n ? 1 : 0);
    out.push(items.slice(start, start + size));
    start += size;
  }
  return out;
}

interface AssignOptions {
  backup?: PersonRow | null;
  expired?: boolean;
  unpublished?: boolean;
}

class RosterBuilder {
  readonly persons: PersonRow[] = [];
  readonly assignments: AssignmentRow[] = [];
  readonly contracting: ContractingRow[] = [];
  readonly residents: ResidentRow[] = [];
  private readonly keys = new Set<string>();
  private readonly namesByUnit = new Map<string, { rng: Prng; used: Set<string> }>();

  person(key: string, unit: string, title: string, organization: string, backup: PersonRow | null = null): PersonRow {
    if (this.keys.has(key)) {
      throw new Error(`roster: duplicate person key ${key}`);
    }
    this.keys.add(key);
    const row: PersonRow = {
      id: demoId(`person:${key}`),
      key,
      name: this.nameIn(unit),
      title,
      organization,
      adminUnitCode: unit,
      backupPersonId: backup?.id ?? null,
    };
    this.persons.push(row);
    return row;
  }

  /** Distinct fake names within one unit, from that unit's own PRNG. */
  private nameIn(unitCode: string): string {
    let state = this.namesByUnit.get(unitCode);
    if (!state) {
      state = { rng: new Prng(`names:${unitCode}`), used: new Set() };
      this.namesByUnit.set(unitCode, state);
    }
    let name = fakeName(state.rng);
    while (state.used.has(name)) {
      name = fakeName(state.rng);
    }
    state.used.add(name);
    return name;
  }

  assign(
    p: PersonRow,
    sector: string,
    roleSlot: string,
    targetType: TargetType,
    targetId: string,
    o: AssignOptions = {},
  ): AssignmentRow {
    const row: AssignmentRow = {
      id: demoId(`assignment:${targetType}:${targetId}:${sector}:${roleSlot}:${p.key}`),
      personId: p.id,
      sector,
      roleSlot,
      targetType,
      targetId,
      backupPersonId: o.backup?.id ?? null,
      validFrom: o.expired ? EXPIRED.validFrom : VALID_FROM,
      validTo: o.expired ? EXPIRED.validTo : null,
      publishedAt: o.unpublished ? null : PUBLISHED_AT,
    };
    this.assignments.push(row);
    return row;
  }

  contract(leader: PersonRow, unitCode: string, level: ContractingRow['level']): void {
    this.contracting.push({
      id: demoId(`contracting:${level}:${unitCode}:${leader.key}`),
      leaderPersonId: leader.id,
      adminUnitCode: unitCode,
      level,
      sector: null,
    });
  }
}

interface TownStaff {
  secretary: PersonRow;
  mayor: PersonRow;
  deputies: PersonRow[];
  dutyOfficer: PersonRow;
  waterStation: PersonRow;
}

interface VillageStaff {
  secretary: PersonRow;
  director: PersonRow;
  grid: PersonRow[];
  monitor: PersonRow | null;
}

interface CountyStaff {
  commander: PersonRow;
  deputies: PersonRow[];
  duty: PersonRow[];
  water: PersonRow;
  sectorTech: Record<string, PersonRow>;
}

function countyRoster(b: RosterBuilder, tree: DivisionTree, county: Division): CountyStaff {
  const c = county.code;
  const s = county.name.endsWith('区') ? '区' : '县';
  const gov = `${county.name}人民政府`;
  const commander = b.person(`county:${c}:commander`, c, `${s}长、${s}防汛抗旱指挥部指挥长`, gov);
  b.assign(commander, 'all', 'commander', 'unit', c);

  const portfolios = ['水利', '规划自然资源', '林业', '交通', '教育'];
  const deputies = portfolios.map((p, i) => b.person(`county:${c}:deputy-${i + 1}`, c, `副${s}长（分管${p}）`, gov));
  // County-level 行政责任人 per sector: a town slot escalates to the same slot one tier up.
  b.assign(deputies[0], 'flood', 'admin', 'unit', c, { backup: commander });
  b.assign(deputies[1], 'geo_hazard', 'admin', 'unit', c, { backup: commander });
  b.assign(deputies[2], 'forest_fire', 'admin', 'unit', c, { backup: commander });
  // 区领导包镇（街道）: contiguous blocks of towns in code order.
  for (const [i, towns] of chunk(tree.childrenOf(c), deputies.length).entries()) {
    for (const t of towns) {
      b.contract(deputies[i], t.code, 'county_town');
    }
  }

  const duty2 = b.person(
    `county:${c}:duty-2`,
    c,
    `${s}防汛抗旱指挥部办公室值班员`,
    `${county.name}应急管理局`,
    deputies[0],
  );
  const duty1 = b.person(`county:${c}:duty-1`, c, `${s}防汛抗旱指挥部办公室值班员`, `${county.name}应急管理局`, duty2);
  for (const d of [duty1, duty2]) {
    b.assign(d, 'all', 'duty_officer', 'unit', c);
  }

  const water = b.person(`county:${c}:water`, c, '水旱灾害防御科科长', `${county.name}水利局`);
  const geo = b.person(`county:${c}:geo`, c, '地质灾害防治科工程师', `${county.name}规划和自然资源局`);
  const forest = b.person(`county:${c}:forest`, c, '森林防火科科长', `${county.name}林业局`);
  b.assign(water, 'flood', 'technical', 'unit', c);
  b.assign(geo, 'geo_hazard', 'technical', 'unit', c);
  b.assign(forest, 'forest_fire', 'technical', 'unit', c);
  const sectorTech: Record<string, PersonRow> = {
    flood: water,
    education: b.person(`county:${c}:education`, c, '安全管理科科长', `${county.name}教育委员会`),
    mine: b.person(`county:${c}:mine`, c, '非煤矿山安全监管科科长', `${county.name}应急管理局`),
    tourism: b.person(`county:${c}:tourism`, c, '市场管理科科长', `${county.name}文化和旅游发展委员会`),
    construction: b.person(`county:${c}:construction`, c, '质量安全监督站站长', `${county.name}住房和城乡建设委员会`),
  };
  return { commander, deputies, duty: [duty1, duty2], water, sectorTech };
}

function townRoster(b: RosterBuilder, tree: DivisionTree, county: Division, town: Division): TownStaff {
  const t = town.code;
  const kind = townKind(town.name);
  const titles = TOWN_TITLES[kind];
  const gov = kind === 'street' ? `${county.name}${town.name}办事处` : `${town.name}人民政府`;
  const villages = tree.childrenOf(t);

  const secretary = b.person(`town:${t}:secretary`, t, titles.secretary, gov);
  const mayor = b.person(`town:${t}:mayor`, t, titles.mayor, gov, secretary);
  const deputyCount = villages.length > 8 ? 3 : 2;
  const deputies = titles.deputies
    .slice(0, deputyCount)
    .map((title, i) => b.person(`town:${t}:deputy-${i + 1}`, t, title, gov, mayor));
  const dutyOfficer = b.person(`town:${t}:duty`, t, `${titles.word}应急办值班员`, gov, deputies[0]);
  const waterStation = b.person(`town:${t}:water`, t, '水利站站长', gov);
  const geoOfficer = b.person(`town:${t}:geo`, t, '地质灾害专管员', gov);
  const forestStation = b.person(`town:${t}:forest`, t, '林业站站长', gov);
  const rangerLead = b.person(`town:${t}:ranger`, t, '专职护林员队长', gov, forestStation);

  b.assign(secretary, 'all', 'party_secretary', 'unit', t);
  b.assign(dutyOfficer, 'all', 'duty_officer', 'unit', t);
  // 三个责任人 per sector on the town (行政 / 技术 / 巡查); one person often holds several slots.
  b.assign(mayor, 'flood', 'admin', 'unit', t, { backup: secretary });
  b.assign(waterStation, 'flood', 'technical', 'unit', t);
  b.assign(dutyOfficer, 'flood', 'patrol', 'unit', t);
  b.assign(deputies[0], 'geo_hazard', 'admin', 'unit', t, { backup: mayor });
  b.assign(geoOfficer, 'geo_hazard', 'technical', 'unit', t);
  b.assign(dutyOfficer, 'geo_hazard', 'patrol', 'unit', t);
  b.assign(secretary, 'forest_fire', 'admin', 'unit', t, { backup: mayor }); // 镇级林长
  b.assign(forestStation, 'forest_fire', 'technical', 'unit', t);
  b.assign(rangerLead, 'forest_fire', 'patrol', 'unit', t);

  // 镇（街道）领导包村（社区）.
  for (const [i, vs] of chunk(villages, deputies.length).entries()) {
    for (const v of vs) {
      b.contract(deputies[i], v.code, 'town_village');
    }
  }
  return { secretary, mayor, deputies, dutyOfficer, waterStation };
}

function villageRoster(b: RosterBuilder, village: Division, zones: ZonePlan[], rng: Prng): VillageStaff {
  const v = village.code;
  const community = isCommunity(village.name);
  const secretary = b.person(`village:${v}:secretary`, v, community ? '社区党委书记' : '村党支部书记', village.name);
  const director = b.person(
    `village:${v}:director`,
    v,
    community ? '社区居委会主任' : '村委会主任',
    village.name,
    secretary,
  );
  const gridCount = community || v.startsWith(SHIZHI_TOWN) || rng.next() < 0.5 ? 2 : 1;
  const grid: PersonRow[] = [];
  for (let i = 1; i <= gridCount; i++) {
    grid.push(b.person(`village:${v}:grid-${i}`, v, `第${i}网格网格员`, village.name, i === 1 ? director : grid[0]));
  }
  let monitor: PersonRow | null = null;
  if (zones.length > 0) {
    const kinds = new Set(zones.map((z) => z.kindCode));
    const title = kinds.has('FF')
      ? '山洪灾害监测预警员'
      : kinds.has('GH') || kinds.has('RA')
        ? '地质灾害群测群防员'
        : kinds.has('FA')
          ? '护林员'
          : '易涝点巡查员';
    monitor = b.person(`village:${v}:monitor`, v, title, village.name, grid[0]);
  }

  b.assign(secretary, 'all', 'party_secretary', 'unit', v);
  for (const sector of ['flood', 'geo_hazard', 'forest_fire']) {
    b.assign(director, sector, 'admin', 'unit', v, { backup: secretary });
  }
  for (const g of grid) {
    b.assign(g, 'all', 'grid_worker', 'unit', v);
  }
  // Per zone: 行政 = village director, 监测 = monitor, 巡查 = a grid worker.
  for (const [i, z] of zones.entries()) {
    b.assign(director, z.sector, 'admin', 'zone', z.id, { backup: secretary });
    if (monitor) {
      b.assign(monitor, z.sector, 'monitor', 'zone', z.id, { backup: grid[0] });
    }
    b.assign(grid[i % grid.length], z.sector, 'patrol', 'zone', z.id, { backup: director });
  }
  return { secretary, director, grid, monitor };
}

function objectRoster(b: RosterBuilder, o: ObjectPlan, county: CountyStaff, town: TownStaff): void {
  const admin =
    o.type === 'reservoir' || o.type === 'hydropower' || o.type === 'scenic_spot' ? town.mayor : town.deputies[0];
  const technical = o.type === 'reservoir' ? town.waterStation : county.sectorTech[o.sector];
  const operator = b.person(`object:${o.code}:operator`, o.villageCode, OPERATOR_TITLES[o.type], o.name);
  // A new construction project's roster is not yet 公示 (roster fitness finds it).
  const unpublished = o.type === 'construction_site';
  b.assign(admin, o.sector, 'admin', 'object', o.id, { backup: town.secretary, unpublished });
  b.assign(technical, o.sector, 'technical', 'object', o.id, { unpublished });
  b.assign(operator, o.sector, 'patrol', 'object', o.id, { unpublished });
}

function residents(b: RosterBuilder, town: Division, zones: ZonePlan[], staff: Map<string, VillageStaff>): void {
  const add = (z: ZonePlan, groupType: ResidentRow['groupType'], label: string, caller: PersonRow) =>
    b.residents.push({
      id: demoId(`resident:${z.code}:${b.residents.filter((r) => r.riskZoneId === z.id).length + 1}`),
      label,
      groupType,
      adminUnitCode: z.villageCode,
      riskZoneId: z.id,
      callerPersonId: caller.id,
    });
  const rng = new Prng(`residents:${town.code}`);
  const zone = (code: string) => zones.find((z) => z.code === code) as ZonePlan;
  const vs = (z: ZonePlan) => staff.get(z.villageCode) as VillageStaff;

  if (town.code === SHIZHI_TOWN) {
    // S1: 2 elderly living alone, 1 bedridden, 1 disabled; 4 distinct one-to-one callers.
    const ff1 = zone(`FF-${SHIZHI_TOWN}-01`);
    const ff2 = zone(`FF-${SHIZHI_TOWN}-02`);
    const gh1 = zone(`GH-${SHIZHI_TOWN}-01`);
    add(ff1, 'elderly_alone', `独居老人 ${anonymousName(rng)}（3组）`, vs(ff1).grid[0]);
    add(ff1, 'elderly_alone', `独居老人 ${anonymousName(rng)}（4组）`, vs(ff1).grid[1]);
    add(ff2, 'bedridden', `重病卧床 ${anonymousName(rng)}（1组）`, vs(ff2).grid[0]);
    add(gh1, 'disabled', `残疾人 ${anonymousName(rng)}（5组）`, vs(gh1).secretary);
    return;
  }
  const candidates = zones.filter((z) => z.kindCode === 'FF' || z.kindCode === 'GH' || z.kindCode === 'RA');
  const types = Object.keys(RESIDENT_LABELS) as Array<ResidentRow['groupType']>;
  const count = Math.min(candidates.length, rng.int(2, 3));
  for (let i = 0; i < count; i++) {
    const z = rng.pick(candidates);
    const s = vs(z);
    const groupType = rng.pick(types);
    const label = `${RESIDENT_LABELS[groupType]} ${anonymousName(rng)}（${rng.int(1, 8)}组）`;
    add(z, groupType, label, rng.pick([...s.grid, s.director, s.secretary]));
  }
}

function contacts(persons: PersonRow[], noContact: Set<string>, invalidOnly: Set<string>): ContactRow[] {
  const taken = new Set<string>();
  const rows: ContactRow[] = [];
  for (const p of persons) {
    if (noContact.has(p.id)) {
      continue;
    }
    const mobile = fakeMobile(p.key, taken);
    const invalid = invalidOnly.has(p.id);
    const phone = (channel: 'sms' | 'voice'): ContactRow => ({
      id: demoId(`contact:${p.key}:${channel}`),
      personId: p.id,
      channel,
      address: mobile,
      priority: 0,
      invalidAt: invalid ? INVALID_AT : null,
      invalidReason: invalid ? '空号（运营商回执）' : null,
    });
    rows.push(phone('sms'), phone('voice'));
    if (!invalid) {
      rows.push({
        id: demoId(`contact:${p.key}:email`),
        personId: p.id,
        channel: 'email',
        address: `${p.key.toLowerCase().replace(/[^a-z0-9-]+/g, '.')}@${DEMO_EMAIL_DOMAIN}`,
        priority: 1,
        invalidAt: null,
        invalidReason: null,
      });
    }
  }
  return rows;
}

/** Builds the whole synthetic roster for the tree, zones and objects. Pure and deterministic. */
export function buildRoster(tree: DivisionTree, zones: ZonePlan[], objects: ObjectPlan[]): Roster {
  const b = new RosterBuilder();
  const counties: RosterNames['counties'] = {};
  const expiredAssignmentIds: string[] = [];
  let shizhi: RosterNames['shizhi'] | undefined;
  const noContact = new Set<string>();
  const invalidOnly = new Set<string>();
  const zonesByVillage = new Map<string, ZonePlan[]>();
  for (const z of zones) {
    zonesByVillage.set(z.villageCode, [...(zonesByVillage.get(z.villageCode) ?? []), z]);
  }

  for (const county of tree.ofLevel('county')) {
    const cs = countyRoster(b, tree, county);
    counties[county.code] = { commanderId: cs.commander.id, dutyOfficerIds: cs.duty.map((d) => d.id) };
    const fitness = new Prng(`fitness:${county.code}`);
    const towns = tree.childrenOf(county.code);
    const townStaff = new Map<string, TownStaff>();
    for (const town of towns) {
      const ts = townRoster(b, tree, county, town);
      townStaff.set(town.code, ts);
      const villageStaff = new Map<string, VillageStaff>();
      const rng = new Prng(`village-roster:${town.code}`);
      for (const village of tree.childrenOf(town.code)) {
        villageStaff.set(village.code, villageRoster(b, village, zonesByVillage.get(village.code) ?? [], rng));
      }
      const townZones = zones.filter((z) => z.townCode === town.code);
      residents(b, town, townZones, villageStaff);

      if (town.code === SHIZHI_TOWN) {
        const villageCode = `${SHIZHI_TOWN}200`;
        const vs = villageStaff.get(villageCode) as VillageStaff;
        const countyLeader = b.contracting.find((c) => c.level === 'county_town' && c.adminUnitCode === SHIZHI_TOWN);
        const townLeader = b.contracting.find((c) => c.level === 'town_village' && c.adminUnitCode === villageCode);
        shizhi = {
          townCode: SHIZHI_TOWN,
          partySecretaryId: ts.secretary.id,
          mayorId: ts.mayor.id,
          dutyOfficerId: ts.dutyOfficer.id,
          countyLeaderId: countyLeader?.leaderPersonId ?? '',
          villageCode,
          villageDirectorId: vs.director.id,
          villageSecretaryId: vs.secretary.id,
          villageGridWorkerIds: vs.grid.map((g) => g.id),
          villageMonitorId: vs.monitor?.id ?? '',
          townLeaderId: townLeader?.leaderPersonId ?? '',
        };
        // S1: the 寨上村 grid worker's number is dead (voice calls fail → UNREACHABLE → escalate).
        const zhaishang = villageStaff.get(`${SHIZHI_TOWN}201`) as VillageStaff;
        invalidOnly.add(zhaishang.grid[0].id);
      }
    }
    for (const o of objects.filter((x) => x.villageCode.startsWith(county.code))) {
      objectRoster(b, o, cs, townStaff.get(o.townCode) as TownStaff);
    }

    // Roster-fitness findings outside 十直镇: expired assignments, and (铜梁) a person with no contact at all.
    const otherTowns = towns.filter((t) => t.code !== SHIZHI_TOWN);
    const [gridTown, zoneTown] = fitness.sample(otherTowns, 2);
    const gridVillage = fitness.pick(tree.childrenOf(gridTown.code));
    const gridWorkerId = demoId(`person:village:${gridVillage.code}:grid-1`);
    const expiredGrid = b.assignments.find(
      (a) => a.roleSlot === 'grid_worker' && a.targetId === gridVillage.code && a.personId === gridWorkerId,
    ) as AssignmentRow;
    const zoneIds = new Set(zones.filter((z) => z.townCode === zoneTown.code).map((z) => z.id));
    const expiredPatrol = b.assignments.find(
      (a) => a.roleSlot === 'patrol' && a.targetType === 'zone' && zoneIds.has(a.targetId),
    ) as AssignmentRow;
    for (const a of [expiredGrid, expiredPatrol]) {
      a.validFrom = EXPIRED.validFrom;
      a.validTo = EXPIRED.validTo;
      expiredAssignmentIds.push(a.id);
    }
    // 丰都's unreachable person is the S1 寨上村 grid worker above; 铜梁 gets one with no contact rows at all.
    if (county.code !== SHIZHI_TOWN.slice(0, 6)) {
      const v = fitness.pick(tree.childrenOf(fitness.pick(otherTowns).code));
      noContact.add(demoId(`person:village:${v.code}:grid-1`));
    }
  }
  if (!shizhi) {
    throw new Error(`roster: town ${SHIZHI_TOWN} is not in the division tree`);
  }
  const names: RosterNames = {
    counties,
    shizhi,
    personsWithoutUsableContact: [...noContact, ...invalidOnly],
    expiredAssignmentIds,
  };
  return {
    persons: b.persons,
    contacts: contacts(b.persons, noContact, invalidOnly),
    assignments: b.assignments,
    contracting: b.contracting,
    residents: b.residents,
    names,
  };
}
