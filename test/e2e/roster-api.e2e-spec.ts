import iconv from 'iconv-lite';
import request from 'supertest';
import { DemoSummary, seedDemo } from '@app/demo';
import { BoardLine, FitnessReport, readXlsx, writeXlsx } from '@app/matching';
import { resetDatabase } from '@app/testing';
import { ApiApp, issueKey, startApi } from '../support/matching-app';

const SHIZHI = '500230107';
const CSV = 'text/csv';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADER = '乡镇,村（社区）,责任对象,对象类型,行业/领域,责任类别,姓名,职务,手机号码,备用联系人/B角';

/** Roster CRUD with region checks, all-or-nothing import, the 挂牌公示 board and the fitness report. */
describe('roster API (e2e)', () => {
  let api: ApiApp;
  let demo: DemoSummary;
  let duty: string;
  let tongliang: string;
  let admin: string;
  let villageName: string;
  let zoneName: string;

  const as = (key: string) => ({ Authorization: `Bearer ${key}` });
  const counts = async () =>
    (
      await api.ds.query<Array<Record<string, number>>>(`SELECT (SELECT count(*) FROM persons)::int AS persons,
      (SELECT count(*) FROM contact_methods)::int AS contacts, (SELECT count(*) FROM responsibility_assignments)::int AS assignments`)
    )[0];
  const upload = (body: string | Buffer, type = CSV, key = duty) =>
    request(api.server)
      .post('/api/v1/roster/import')
      .set(as(key))
      .set('Content-Type', type)
      .send(typeof body === 'string' ? Buffer.from(body) : body);

  beforeAll(async () => {
    api = await startApi();
    await resetDatabase(api.ds);
    demo = await seedDemo(api.ds);
    duty = await issueKey(api.ds, 'fengdu-duty', 'duty_officer', '500230');
    tongliang = await issueKey(api.ds, 'tongliang-duty', 'duty_officer', '500151');
    admin = await issueKey(api.ds, 'city-admin', 'admin', '500000');
    [{ name: villageName }] = await api.ds.query<Array<{ name: string }>>(
      `SELECT name FROM admin_units WHERE code = $1`,
      [demo.shizhi.villageCode],
    );
    [{ name: zoneName }] = await api.ds.query<Array<{ name: string }>>(`SELECT name FROM risk_zones WHERE id = $1`, [
      demo.shizhi.flashFloodZoneIds[0],
    ]);
  });

  afterAll(async () => {
    await api.stop();
  });

  it('creates, edits and ends an assignment; the board follows; other regions cannot touch it', async () => {
    const zoneId = demo.shizhi.flashFloodZoneIds[0];
    const created = await request(api.server)
      .post('/api/v1/roster/assignments')
      .set(as(duty))
      .send({
        personId: demo.shizhi.villageGridWorkerIds[1],
        sector: 'flood',
        roleSlot: 'monitor',
        targetType: 'zone',
        targetId: zoneId,
        backupPersonId: demo.shizhi.villageDirectorId,
        validFrom: '2024-01-01',
      })
      .expect(201);
    const id = (created.body as { id: string }).id;
    const onBoard = async () =>
      (
        (await request(api.server).get(`/api/v1/roster/board?zoneId=${zoneId}`).set(as(duty)).expect(200))
          .body as BoardLine[]
      ).filter((l) => l.roleSlot === 'technical' || l.roleSlot === 'monitor');
    expect((await onBoard()).map((l) => l.roleSlot)).toContain('monitor');

    await request(api.server)
      .patch(`/api/v1/roster/assignments/${id}`)
      .set(as(duty))
      .send({ roleSlot: 'technical' })
      .expect(200);
    expect((await onBoard()).find((l) => l.roleSlot === 'technical')?.backupName).toBeTruthy();

    // Another county's key: the row does not exist for it, and it may not create on this zone.
    await request(api.server)
      .patch(`/api/v1/roster/assignments/${id}`)
      .set(as(tongliang))
      .send({ roleSlot: 'admin' })
      .expect(404);
    await request(api.server)
      .post('/api/v1/roster/assignments')
      .set(as(tongliang))
      .send({
        personId: demo.counties['500151'].commanderId,
        sector: 'flood',
        roleSlot: 'admin',
        targetType: 'zone',
        targetId: zoneId,
      })
      .expect(403);
    await request(api.server)
      .post('/api/v1/roster/assignments')
      .set(as(duty))
      .send({
        personId: demo.shizhi.mayorId,
        sector: 'weather',
        roleSlot: 'admin',
        targetType: 'zone',
        targetId: zoneId,
      })
      .expect(400);

    const ended = await request(api.server)
      .post(`/api/v1/roster/assignments/${id}/end`)
      .set(as(duty))
      .send({ validTo: '2024-05-01' })
      .expect(200);
    expect((ended.body as { validTo: string }).validTo).toBe('2024-05-01');
    expect((await onBoard()).some((l) => l.roleSlot === 'technical' && l.name)).toBe(false);
    const fitness = (await request(api.server).get(`/api/v1/roster/fitness?unit=${SHIZHI}`).set(as(duty)).expect(200))
      .body as FitnessReport;
    expect(fitness.expiredAssignments.map((e) => e.id)).toContain(id);
  });

  it('creates and ends 包干 contracting, checking the unit fits the tier', async () => {
    const body = { leaderPersonId: demo.shizhi.mayorId, adminUnitCode: demo.shizhi.villageCode, level: 'town_village' };
    const created = await request(api.server).post('/api/v1/roster/contracting').set(as(duty)).send(body).expect(201);
    const id = (created.body as { id: string }).id;
    await request(api.server)
      .post('/api/v1/roster/contracting')
      .set(as(duty))
      .send({ ...body, level: 'county_town' })
      .expect(400);
    await request(api.server).post(`/api/v1/roster/contracting/${id}/end`).set(as(tongliang)).send({}).expect(404);
    const ended = await request(api.server)
      .post(`/api/v1/roster/contracting/${id}/end`)
      .set(as(duty))
      .send({})
      .expect(200);
    expect((ended.body as { validTo: string }).validTo).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('imports a town CSV (GB18030 too), idempotently, and publishes it on the board', async () => {
    const csv = [
      HEADER,
      `十直镇,${villageName},,,防汛,网格员,测试甲,第3网格网格员,138 0000 1234,测试乙`,
      `十直镇,${villageName},,,防汛,网格员,测试乙,第4网格网格员,+8613800001235,`,
      `十直镇,${villageName},${zoneName},山洪危险区,防汛,监测预警员,测试甲,山洪灾害监测预警员,13800001234,`,
    ].join('\n');
    const before = await counts();
    const res = await upload(iconv.encode(csv, 'gb18030')).expect(200);
    expect(res.body).toEqual({
      dryRun: false,
      rows: 3,
      personsCreated: 2,
      contactsCreated: 4,
      assignmentsCreated: 3,
      assignmentsUnchanged: 0,
    });
    expect(await counts()).toEqual({
      persons: before.persons + 2,
      contacts: before.contacts + 4,
      assignments: before.assignments + 3,
    });

    const again = await upload(csv).expect(200);
    expect(again.body).toMatchObject({ personsCreated: 0, assignmentsCreated: 0, assignmentsUnchanged: 3 });

    const board = (await request(api.server).get(`/api/v1/roster/board?town=${SHIZHI}`).set(as(duty)).expect(200))
      .body as BoardLine[];
    const jia = board.filter((l) => l.name === '测试甲');
    expect(jia.map((l) => l.roleSlot).sort()).toEqual(['grid_worker', 'monitor']);
    expect(jia.find((l) => l.roleSlot === 'grid_worker')).toMatchObject({
      backupName: '测试乙',
      mobile: '*******1234',
    });
  });

  it('imports nothing from a file with any bad row, and names each row, column and problem', async () => {
    const csv = [
      HEADER,
      `十直镇,${villageName},,,防汛,网格员,测试丙,网格员,13800001236,`,
      `十直镇,${villageName},,,防汛,网格员,测试丁,网格员,1380000,`,
      `十直镇,${villageName},,,防汛,村长,测试戊,村长,13800001237,`,
      `十直镇,不存在村,,,防汛,网格员,测试己,网格员,13800001238,`,
      `十直镇,${villageName},不存在的水库,水库,防汛,巡查责任人,测试庚,管护员,13800001239,`,
      `十直镇,${villageName},,,防汛,网格员,测试辛,网格员,13800001240,查无此人`,
      `大路镇,,,,防汛,网格员,测试壬,网格员,13800001241,`,
    ].join('\n');
    const before = await counts();
    const res = await upload(csv).expect(400);
    const errors = (res.body as { details: { errors: Array<{ row: number; column: string; problem: string }> } })
      .details.errors;
    expect(errors.map((e) => [e.row, e.column])).toEqual([
      [3, '手机号码'],
      [4, '责任类别'],
      [5, '村（社区）'],
      [6, '责任对象'],
      [7, '备用联系人/B角'],
      [8, '乡镇'],
    ]);
    expect(errors[0].problem).toContain('不是有效的手机号码');
    expect(await counts()).toEqual(before);

    const missing = await upload('乡镇,姓名\n十直镇,某人\n').expect(400);
    expect(
      (missing.body as { details: { errors: Array<{ column: string }> } }).details.errors.map((e) => e.column),
    ).toEqual(['责任类别', '行业/领域', '手机号码']);
    await upload(Buffer.from('not a workbook'), XLSX).expect(400);
    await upload('x', 'application/pdf').expect(415);
  });

  it('imports XLSX, dry runs write nothing, and exports the board as CSV and XLSX with masked numbers', async () => {
    const xlsx = await writeXlsx('名单', HEADER.split(','), [
      ['十直镇', villageName, '', '', '地质灾害', '巡查责任人', '测试癸', '巡查员', '13800001242', ''],
    ]);
    const before = await counts();
    const dry = await upload(xlsx, XLSX).query({ dryRun: 'true' }).expect(200);
    expect(dry.body).toMatchObject({ dryRun: true, assignmentsCreated: 1 });
    expect(await counts()).toEqual(before);
    await upload(xlsx, XLSX).expect(200);
    const imported = await counts();
    expect(imported.assignments).toBe(before.assignments + 1);

    // A browser's form upload: the file's name says XLSX or CSV whatever type the browser declared.
    const form = (name: string, bytes: Buffer) =>
      request(api.server)
        .post('/api/v1/roster/import')
        .query({ dryRun: 'true' })
        .set(as(duty))
        .attach('file', bytes, { filename: name, contentType: 'application/octet-stream' });
    const viaForm = await form('十直镇名册.xlsx', xlsx).expect(200);
    expect(viaForm.body).toMatchObject({ dryRun: true, assignmentsUnchanged: 1 });
    const badForm = await form('名册.pdf', xlsx).expect(415);
    expect((badForm.body as { message: string }).message).toContain('请上传 CSV 或 XLSX 文件');
    const noFile = await request(api.server)
      .post('/api/v1/roster/import')
      .set(as(duty))
      .field('town', SHIZHI)
      .expect(400);
    expect((noFile.body as { message: string }).message).toContain('请选择要上传的');
    expect(await counts()).toEqual(imported);

    const csv = await request(api.server)
      .get(`/api/v1/roster/board?town=${SHIZHI}&format=csv`)
      .set(as(duty))
      .expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(`区县,${HEADER}`);
    expect(lines.find((l) => l.includes('测试癸'))).toContain('*******1242');
    expect(lines.every((l, i) => i === 0 || !/1[3-9]\d{9}/.test(l))).toBe(true);

    const file = await request(api.server)
      .get(`/api/v1/roster/board?objectId=${demo.shizhi.hydropowerObjectId}&format=xlsx&phones=full`)
      .set(as(admin))
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(file.headers['content-type']).toBe(XLSX);
    const table = await readXlsx(file.body as Buffer);
    expect(table[0]).toEqual(`区县,${HEADER}`.split(','));
    expect(
      table
        .slice(1)
        .map((r) => r[6])
        .sort(),
    ).toEqual(['巡查责任人', '技术责任人', '行政责任人']);
    expect(table.slice(1).every((r) => /^1[3-9]\d{9}$/.test(r[9]))).toBe(true);
    await request(api.server).get(`/api/v1/roster/board?town=${SHIZHI}`).set(as(tongliang)).expect(404);
  });

  it('reports roster fitness: missing slots, no usable contact, expired rows, dead numbers', async () => {
    await api.ds.query(
      `INSERT INTO risk_zones (code, name, hazard_type, kind, geom, admin_unit_code)
       SELECT 'GH-TEST-NEW', '新发现滑坡隐患点', 'geo_hazard', 'hazard_point', ST_Buffer(ST_PointOnSurface(geom), 0.0005), code
       FROM admin_units WHERE code = $1`,
      [demo.shizhi.villageCode],
    );
    const r = (await request(api.server).get('/api/v1/roster/fitness').set(as(duty)).expect(200)).body as FitnessReport;
    expect(r.unitCode).toBe('500230');
    expect(r.missingSlots.find((m) => m.code === 'GH-TEST-NEW')?.missing).toEqual(['admin', 'patrol']);
    const inFengdu = async (sql: string, ids: string[]) =>
      (await api.ds.query<Array<{ id: string }>>(sql, [ids])).map((x) => x.id);
    const dead = await inFengdu(
      `SELECT id FROM persons WHERE id = ANY($1::uuid[]) AND admin_unit_code LIKE '500230%'`,
      demo.personsWithoutUsableContact,
    );
    const expired = await inFengdu(
      `SELECT a.id FROM responsibility_assignments a JOIN persons p ON p.id = a.person_id WHERE a.id = ANY($1::uuid[]) AND p.admin_unit_code LIKE '500230%'`,
      demo.expiredAssignmentIds,
    );
    expect(dead.length).toBeGreaterThan(0);
    expect(r.withoutContact.map((p) => p.personId)).toEqual(expect.arrayContaining(dead));
    expect(r.invalidContacts.map((c) => c.personId)).toEqual(expect.arrayContaining(dead));
    expect(r.withoutContact.find((p) => p.personId === dead[0])?.problem).toContain('空号');
    expect(r.invalidContacts.every((c) => /^\*+\d{4}$/.test(c.address))).toBe(true);
    expect(expired.length).toBeGreaterThan(0);
    expect(r.expiredAssignments.map((e) => e.id)).toEqual(expect.arrayContaining(expired));
    expect(r.unpublished.length).toBeGreaterThan(0);
    expect(r.summary.missingSlots).toBe(r.missingSlots.length);

    const tl = (await request(api.server).get('/api/v1/roster/fitness').set(as(tongliang)).expect(200))
      .body as FitnessReport;
    expect(tl.withoutContact.some((p) => p.problem === '没有登记任何联系方式')).toBe(true);
    await request(api.server).get(`/api/v1/roster/fitness?unit=${SHIZHI}`).set(as(tongliang)).expect(400);
  });
});
