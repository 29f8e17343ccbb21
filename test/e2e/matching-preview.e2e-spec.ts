import request from 'supertest';
import { DemoSummary, seedDemo } from '@app/demo';
import type { WarningPreview } from '@app/matching';
import { resetDatabase } from '@app/testing';
import { ApiApp, databaseFingerprint, issueKey, startApi } from '../support/matching-app';

const SHIZHI = '500230107';

/** POST /api/v1/warnings/preview over the demo district; nothing is written. */
describe('warning preview (e2e)', () => {
  let api: ApiApp;
  let demo: DemoSummary;
  let duty: string;
  let tongliang: string;
  let commander: string;

  const preview = (body: object, key = duty) =>
    request(api.server).post('/api/v1/warnings/preview').set('Authorization', `Bearer ${key}`).send(body);

  beforeAll(async () => {
    api = await startApi();
    await resetDatabase(api.ds);
    demo = await seedDemo(api.ds);
    duty = await issueKey(api.ds, 'fengdu-duty', 'duty_officer', '500230');
    tongliang = await issueKey(api.ds, 'tongliang-duty', 'duty_officer', '500151');
    commander = await issueKey(api.ds, 'fengdu-commander', 'commander', '500230');
  });

  afterAll(async () => {
    await api.stop();
  });

  it('lists who a red rainstorm over 十直镇 would call, why, at which tier, by when, and writes nothing', async () => {
    const before = await databaseFingerprint(api.ds);
    const res = await preview({ hazardType: 'rainstorm', colour: 'red', area: { codes: [SHIZHI] } }).expect(200);
    expect(await databaseFingerprint(api.ds)).toEqual(before);

    const p = res.body as WarningPreview;
    expect(p).toMatchObject({
      level: 'red',
      levelZh: '红色预警',
      requiresAck: true,
      publicBroadcast: true,
      specVersion: 1,
    });
    expect(p.tiers[0]).toMatchObject({ ackDeadlineMin: 10, ladder: [{ atMin: 0 }, { atMin: 3 }, { atMin: 6 }] });
    const zoneCodes = p.matched.zones.map((z) => z.code);
    expect(zoneCodes).toEqual(expect.arrayContaining([`FF-${SHIZHI}-01`, `FF-${SHIZHI}-02`, `GH-${SHIZHI}-01`]));

    const byId = new Map(p.recipients.map((r) => [r.personId, r]));
    expect(new Set(p.recipients.map((r) => r.personId)).size).toBe(p.recipients.length);
    const director = byId.get(demo.shizhi.villageDirectorId);
    expect(director).toMatchObject({ tier: 0, ackDeadlineMin: 10, reachable: true });
    expect(director?.tierName).toContain('第一梯队');
    expect(director?.mobile).toMatch(/^\*+\d{4}$/);
    // One call listing every reason: the village unit and its zones.
    expect(director?.reasons.map((r) => r.text)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('行政责任人（防汛）'),
        expect.stringContaining('山洪危险区 行政责任人'),
      ]),
    );
    // Escalation path: backup (village secretary) with the 包村 town leader, then the same role one tier up (the mayor,
    // town flood ADMIN), then the county duty officer, then the commander.
    const path = director?.escalationPath.map((step) => step.map((s) => s.personId));
    expect(path?.[0]).toEqual(expect.arrayContaining([demo.shizhi.villageSecretaryId, demo.shizhi.townLeaderId]));
    expect(path?.[1]).toContain(demo.shizhi.mayorId);
    expect(path?.[2]).toContain(demo.counties['500230'].dutyOfficerIds[0]);
    expect(path?.[3]).toEqual([demo.counties['500230'].commanderId]);

    expect(byId.get(demo.shizhi.countyLeaderId)?.reasons.map((r) => r.kind)).toContain('contracting');
    expect(byId.get(demo.counties['500230'].commanderId)).toBeDefined();
    const caller = p.recipients.find((r) => r.reasons.some((x) => x.kind === 'one_to_one'));
    expect(caller?.reasons.find((x) => x.kind === 'one_to_one')?.text).toMatch(/^一对一叫应：/);

    // Counts per town and village add up.
    const town = p.counts.byTown.find((t) => t.code === SHIZHI);
    expect(town?.name).toBe('十直镇');
    const villageSum = p.counts.byVillage.filter((v) => v.townCode === SHIZHI).reduce((s, v) => s + v.count, 0);
    expect(town?.count).toBeGreaterThan(villageSum);
    expect(p.counts.total).toBe(p.recipients.length);
    expect(p.counts.countyLevel + p.counts.byTown.reduce((s, t) => s + t.count, 0)).toBe(p.counts.total);
    expect(p.counts.byVillage.find((v) => v.code === demo.shizhi.villageCode)?.count).toBeGreaterThanOrEqual(4);

    // The 寨上村 grid worker's number is dead: reported before anything is sent.
    const dead = demo.personsWithoutUsableContact.filter((id) => byId.has(id));
    expect(dead.length).toBeGreaterThan(0);
    expect(p.counts.unreachable).toBe(p.unreachable.length);
    expect(p.unreachable.map((u) => u.personId)).toEqual(expect.arrayContaining(dead));
    expect(p.unreachable[0].contactProblem).toContain('空号');
    expect(p.unreachable[0].escalationPath.length).toBeGreaterThan(0);
  });

  it('keeps a forest-fire warning away from flood zones, reservoirs and hydropower trios', async () => {
    const p = (await preview({ hazardType: 'forest_fire', level: 2, area: { codes: [SHIZHI] } }).expect(200))
      .body as WarningPreview;
    expect(p.matched.zones.every((z) => z.code.startsWith('FA-'))).toBe(true);
    expect(p.matched.objects.every((o) => o.type === 'scenic_spot')).toBe(true);
    const reasons = p.recipients.flatMap((r) => r.reasons);
    expect(reasons.some((r) => r.targetId === demo.shizhi.hydropowerObjectId)).toBe(false);
    expect(
      reasons
        .filter((r) => r.kind === 'assignment' && r.targetType === 'unit')
        .every((r) => ['forest_fire', 'all'].includes(r.sector ?? '')),
    ).toBe(true);
    expect(reasons.some((r) => demo.shizhi.flashFloodZoneIds.includes(r.targetId ?? ''))).toBe(false);
  });

  it('matches circles with ST_DWithin: in when the radius reaches the zone, out when it falls short', async () => {
    const [probe] = await api.ds.query<Array<{ lon: number; lat: number; metres: number }>>(
      `WITH z AS (SELECT geom FROM risk_zones WHERE id = $1),
            p AS (SELECT ST_Project(ST_Centroid(geom)::geography, 3000, radians(90))::geometry AS pt FROM z)
       SELECT ST_X(pt) AS lon, ST_Y(pt) AS lat, ST_Distance(pt::geography, (SELECT geom FROM z)::geography) AS metres FROM p`,
      [demo.shizhi.flashFloodZoneIds[0]],
    );
    const [zone] = await api.ds.query<Array<{ code: string }>>(`SELECT code FROM risk_zones WHERE id = $1`, [
      demo.shizhi.flashFloodZoneIds[0],
    ]);
    const circle = (metres: number) => ({
      hazardType: 'flash_flood',
      level: 2,
      area: { circles: [{ lon: probe.lon, lat: probe.lat, radiusKm: metres / 1000 }] },
    });
    const near = (await preview(circle(probe.metres + 30)).expect(200)).body as WarningPreview;
    const short = (await preview(circle(probe.metres - 30)).expect(200)).body as WarningPreview;
    expect(near.matched.zones.map((z) => z.code)).toContain(zone.code);
    expect(short.matched.zones.map((z) => z.code)).not.toContain(zone.code);
  });

  it('matches polygons given as [lon, lat] rings', async () => {
    const [b] = await api.ds.query<Array<{ x0: number; y0: number; x1: number; y1: number }>>(
      `SELECT ST_XMin(geom) AS x0, ST_YMin(geom) AS y0, ST_XMax(geom) AS x1, ST_YMax(geom) AS y1 FROM admin_units WHERE code = $1`,
      [SHIZHI],
    );
    const ring = [
      [b.x0, b.y0],
      [b.x1, b.y0],
      [b.x1, b.y1],
      [b.x0, b.y1],
    ];
    const p = (await preview({ hazardType: 'rainstorm', level: 1, area: { polygons: [ring] } }).expect(200))
      .body as WarningPreview;
    expect(p.matched.zones.map((z) => z.code)).toContain(`FF-${SHIZHI}-01`);
    expect(p.counts.byTown.map((t) => t.code)).toContain(SHIZHI);
  });

  it('calls only duty officers for blue, without waiting for answers', async () => {
    const p = (await preview({ hazardType: 'rainstorm', colour: 'blue', area: { codes: [SHIZHI] } }).expect(200))
      .body as WarningPreview;
    expect(p.requiresAck).toBe(false);
    expect(p.recipients.length).toBeGreaterThan(0);
    expect(p.recipients.every((r) => r.reasons.every((x) => x.roleSlot === 'duty_officer'))).toBe(true);
  });

  it('checks role and region, and answers bad drafts with the field and the problem', async () => {
    await preview({ hazardType: 'rainstorm', level: 1, area: { codes: [SHIZHI] } }, tongliang).expect(403);
    await preview({ hazardType: 'rainstorm', level: 1, area: { codes: [SHIZHI] } }, commander).expect(403);
    await request(api.server).post('/api/v1/warnings/preview').send({}).expect(401);

    const bad = async (body: object, field: string) => {
      const res = await preview(body).expect(400);
      expect((res.body as { details: { field: string } }).details.field).toBe(field);
    };
    await bad({ hazardType: 'meteor', level: 1, area: { codes: [SHIZHI] } }, 'hazardType');
    await bad({ hazardType: 'rainstorm', level: 7, area: { codes: [SHIZHI] } }, 'level');
    await bad({ hazardType: 'rainstorm', level: 1, area: {} }, 'area');
    await bad({ hazardType: 'rainstorm', level: 1, area: { codes: ['5002'] } }, 'area.codes');
    await bad(
      { hazardType: 'rainstorm', level: 1, area: { circles: [{ lon: 107.7, lat: 29.9, radiusKm: 0 }] } },
      'area.circles[0].radiusKm',
    );
    await bad(
      {
        hazardType: 'rainstorm',
        level: 1,
        area: {
          polygons: [
            [
              [107.7, 29.9],
              [107.8, 30.0],
              [107.8, 29.9],
              [107.7, 30.0],
            ],
          ],
        },
      },
      'area.polygons[0]',
    );
  });

  it('leaves out what lies outside the caller’s region when a shape crosses the border', async () => {
    const [b] = await api.ds.query<Array<{ x: number; y: number }>>(
      `SELECT ST_X(ST_Centroid(geom)) AS x, ST_Y(ST_Centroid(geom)) AS y FROM admin_units WHERE code = $1`,
      [SHIZHI],
    );
    const p = (
      await preview(
        { hazardType: 'rainstorm', level: 1, area: { circles: [{ lon: b.x, lat: b.y, radiusKm: 200 }] } },
        tongliang,
      ).expect(200)
    ).body as WarningPreview;
    expect(p.matched.outsideRegion).toBeGreaterThan(0);
    expect(p.matched.zones.every((z) => z.unitCode.startsWith('500151'))).toBe(true);
    expect(p.counts.byTown.every((t) => t.code.startsWith('500151'))).toBe(true);
  });
});
