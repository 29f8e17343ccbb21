import { INestApplication, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Test } from '@nestjs/testing';
import { Clock, JsonLogger, levelsUpTo, ManualClock, waitFor } from '@app/common';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { QueueModule } from '@app/queue';
import { SmtpSink } from '@app/simulators';
import { insertPerson, insertUnit, insertWarningWithCalls, resetDatabase } from '@app/testing';
import { DailyReportCron } from '../../apps/ingestor/src/daily-report.cron';
import { DispatcherModule } from '../../apps/dispatcher/src/dispatcher.module';

/** What an ingestor replica runs for the daily report: its cron, nothing else. */
@Module({ imports: [ConfigModule, DatabaseModule, QueueModule], providers: [DailyReportCron] })
class SchedulerReplica {}

const logger = () => new JsonLogger('test', levelsUpTo(process.env.LOG_LEVEL ?? 'error'));

/**
 * 日调度·日排名·日通报: two scheduler replicas fire every second on an injected clock; the dispatcher's worker mails
 * the report about yesterday through the real SMTP sink, exactly once per day, with the day's warnings, the towns
 * ranked by 叫应率 and the problems not struck off.
 */
describe('daily duty report', () => {
  const clock = new ManualClock(new Date('2026-07-02T08:00:00+08:00'));
  const mail = new SmtpSink();
  const apps: INestApplication[] = [];
  let schedulers: DailyReportCron[] = [];
  const ticks = () => schedulers.reduce((n, s) => n + s.ticks, 0);
  const reports = () => mail.list().filter((m) => m.subject.includes('叫应日报'));

  // This spec's settings, restored after it: later specs (and the apps they start) must not inherit a cron firing
  // every second, and this spec's worker must not take up jobs an earlier spec left in Redis.
  const saved = ['SMTP_URL', 'DAILY_REPORT_CRON', 'DAILY_REPORT_TO', 'DAILY_REPORT_REGION', 'QUEUE_PREFIX'].map(
    (k) => [k, process.env[k]] as const,
  );

  beforeAll(async () => {
    const port = await mail.listen(0);
    Object.assign(process.env, {
      QUEUE_PREFIX: `${process.env.QUEUE_PREFIX ?? 'jy'}-daily-${Date.now()}`,
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      DAILY_REPORT_CRON: '* * * * * *',
      DAILY_REPORT_TO: 'duty@county.test, leader@county.test',
      DAILY_REPORT_REGION: '500230',
    });
    const worker = (
      await Test.createTestingModule({ imports: [DispatcherModule] })
        .overrideProvider(Clock)
        .useValue(clock)
        .compile()
    ).createNestApplication({ logger: logger() });
    await worker.init();
    apps.push(worker);
    const ds = worker.get(DataSource);
    await resetDatabase(ds);
    await insertUnit(ds, { code: '500230', name: '测试县', level: 'county', lon: 107.7, lat: 29.9, r: 0.3 });
    await insertUnit(ds, {
      code: '500230101',
      name: '甲镇',
      level: 'town',
      parentCode: '500230',
      lon: 107.6,
      lat: 29.9,
    });
    await insertUnit(ds, {
      code: '500230102',
      name: '乙镇',
      level: 'town',
      parentCode: '500230',
      lon: 107.8,
      lat: 29.9,
    });
    const a1 = await insertPerson(ds, { name: '甲一', unitCode: '500230101' });
    const a2 = await insertPerson(ds, { name: '甲二', unitCode: '500230101' });
    const b1 = await insertPerson(ds, { name: '乙一', unitCode: '500230102' });
    // 1 July (yesterday at 2 July 08:00): 乙镇 answers all, 甲镇 half; a drill and a warning of 30 June are left out.
    const w = await insertWarningWithCalls(ds, {
      headline: '测试县暴雨红色预警',
      sent: new Date('2026-07-01T10:00:00+08:00'),
      unitCode: '500230',
      calls: [
        { personId: a1, answeredAfterS: 300 },
        { personId: a2, answeredAfterS: null },
        { personId: b1, answeredAfterS: 60 },
      ],
    });
    await insertWarningWithCalls(ds, {
      headline: '演练预警',
      sent: new Date('2026-07-01T15:00:00+08:00'),
      unitCode: '500230',
      drill: true,
      calls: [{ personId: a2, answeredAfterS: null }],
    });
    await insertWarningWithCalls(ds, {
      headline: '前日预警',
      sent: new Date('2026-06-30T10:00:00+08:00'),
      unitCode: '500230',
      calls: [{ personId: a2, answeredAfterS: null }],
    });
    await ds.query(
      `INSERT INTO issue_items (chain_id, warning_id, person_id, unit_code, kind, title, state, created_at, updated_at)
       SELECT chain_id, id, $2, '500230101', 'no_answer', unnest(ARRAY['甲二：叫应未应答（整改中）', '甲二：已销号的问题']), unnest(ARRAY['rectifying', 'closed']), now(), now()
       FROM warnings WHERE id = $1`,
      [w, a2],
    );
    // Two ingestor replicas: whichever takes a second's cron lease enqueues; the day's job id makes a second one a no-op.
    for (let i = 0; i < 2; i++) {
      const replica = (
        await Test.createTestingModule({ imports: [SchedulerReplica] })
          .overrideProvider(Clock)
          .useValue(clock)
          .compile()
      ).createNestApplication({ logger: logger() });
      await replica.init();
      apps.push(replica);
      schedulers.push(replica.get(DailyReportCron));
    }
  }, 60_000);

  afterAll(async () => {
    for (const app of apps.reverse()) {
      await app.close();
    }
    schedulers = [];
    await mail.close();
    for (const [k, v] of saved) {
      if (v === undefined) {
        delete process.env[k];
      } else {
        process.env[k] = v;
      }
    }
  });

  it('mails yesterday’s warnings, the towns ranked by 叫应率 and the open problems, once per day', async () => {
    const [first] = await waitFor(() => (reports().length > 0 ? reports() : null), {
      what: 'the report of 1 July',
      timeoutMs: 20_000,
    });
    expect(first.subject).toBe('【叫应日报】2026-07-01 日调度·日排名·日通报');
    expect(first.to.sort()).toEqual(['duty@county.test', 'leader@county.test']);
    const text = first.text;
    expect(text).toContain('一、日调度：2026-07-01 预警 1 条');
    expect(text).toMatch(/10:00 {2}红色 {2}测试县暴雨红色预警 {2}3 {2}2 {2}67%/);
    expect(text).not.toContain('演练预警');
    expect(text).not.toContain('前日预警');
    // 乙镇 (100%) ranks above 甲镇 (50%).
    expect(text).toMatch(/1 {2}乙镇 {2}1 {2}1 {2}100% {2}1\.0 分钟\n {2}2 {2}甲镇 {2}2 {2}1 {2}50% {2}5\.0 分钟/);
    expect(text).toContain('三、日通报：未销号问题 1 项（整改中 1）');
    expect(text).toContain('甲二：叫应未应答（整改中）');
    expect(text).not.toContain('已销号的问题');
    expect(first.html).toContain('<th');

    // The schedulers keep firing every second the same day: still one mail. The next day brings the next one.
    const seen = ticks();
    await waitFor(() => ticks() >= seen + 3, { what: 'three more ticks on 2 July', timeoutMs: 15_000 });
    expect(reports()).toHaveLength(1);
    clock.set(new Date('2026-07-03T08:00:00+08:00'));
    const second = await waitFor(() => reports()[1] ?? null, { what: 'the report of 2 July', timeoutMs: 20_000 });
    expect(second.subject).toBe('【叫应日报】2026-07-02 日调度·日排名·日通报');
    expect(second.text).toContain('当日无预警。');
    expect(second.text).toContain('甲二：叫应未应答（整改中）');
    const after = ticks();
    await waitFor(() => ticks() >= after + 3, { what: 'three more ticks on 3 July', timeoutMs: 15_000 });
    expect(reports()).toHaveLength(2);
    const rows = await apps[0]
      .get(DataSource)
      .query<
        Array<{ report_date: string; sent: boolean }>
      >(`SELECT to_char(report_date, 'YYYY-MM-DD') AS report_date, sent_at IS NOT NULL AS sent FROM daily_reports ORDER BY 1`);
    expect(rows).toEqual([
      { report_date: '2026-07-01', sent: true },
      { report_date: '2026-07-02', sent: true },
    ]);
  }, 90_000);
});
