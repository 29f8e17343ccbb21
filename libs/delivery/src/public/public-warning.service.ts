import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, countMessage, countRecovery, TransientError } from '@app/common';
import { APP_CONFIG, AppConfig, HIGH_RISK_GRADES } from '@app/config';
import { EventLog } from '@app/database';
import { JobOutcome, JobProducer, RetryLaterError } from '@app/queue';
import { composeBroadcast, composePublicSms, PublicContent } from '../content/compose';
import { MessageTemplates, TemplateVars } from '../content/templates';
import { ProviderHealth, ProvidersThrottledError } from '../failover/provider-health';
import { UNCERTAIN_TRIES, untilStaleMs } from '../failover/uncertain-send';
import { findTakenSms } from '../providers/provider';
import { ProviderRegistry } from '../providers/provider-registry';
import { MqttLink } from './mqtt-link';

/**
 * Numbers per batch of area SMS: what every provider takes in one request (Tencent 200, Alibaba 1000), so that a batch
 * is one request, which the provider took whole or not at all, and asking for its first number says which.
 */
const PUBLIC_SMS_BATCH = 200;
const LIVE_WARNING = ['tracking'];

interface WarningRow extends PublicContent {
  id: string;
  state: string;
  public_broadcast: boolean;
}

/**
 * Residents' public warnings (area SMS and loudspeakers in the matched high-risk zones): planned right after
 * matching when the resolved spec says publicBroadcast, and sent at once — they never wait for any answer.
 */
@Injectable()
export class PublicWarningService {
  private readonly logger = new Logger(PublicWarningService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly templates: MessageTemplates,
    private readonly registry: ProviderRegistry,
    private readonly health: ProviderHealth,
    private readonly mqtt: MqttLink,
    private readonly producer: JobProducer,
    private readonly events: EventLog,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async plan(warningId: string): Promise<JobOutcome> {
    const now = this.clock.now();
    const planned = await this.dataSource.transaction(async (tx) => {
      const [w] = await tx.query<WarningRow[]>(
        `SELECT w.id, w.state, w.level, w.hazard_type AS hazard, w.event, w.headline, w.instruction, w.area_desc AS "areaDesc",
                w.is_drill AS "isDrill", coalesce((d.spec->>'publicBroadcast')::boolean, false) AS public_broadcast
         FROM warnings w JOIN dispatches d ON d.warning_id = w.id WHERE w.id = $1`,
        [warningId],
      );
      if (!w || !w.public_broadcast || !LIVE_WARNING.includes(w.state)) {
        return null;
      }
      const zones = await tx.query<Array<{ id: string }>>(
        `SELECT z.id FROM risk_zones z WHERE z.risk_grade = ANY($2::varchar[]) AND z.code IN (
           SELECT jsonb_array_elements_text(e.data->'zones') FROM events e WHERE e.warning_id = $1 AND e.type = 'WarningMatched')`,
        [warningId, HIGH_RISK_GRADES],
      );
      const zoneIds = zones.map((z) => z.id);
      const batches = await this.planSms(tx, w, zoneIds, now);
      const broadcasts = await this.planBroadcasts(tx, w, zoneIds, now);
      await this.events.append(
        {
          type: 'PublicWarningIssued',
          warningId,
          data: { zones: zoneIds.length, smsBatches: batches.length, loudspeakers: broadcasts.length },
        },
        tx,
      );
      return { level: w.level, batches, broadcasts };
    });
    if (!planned) {
      return 'skipped';
    }
    await this.producer.sendPublicSms(planned.batches.map((batchId) => ({ batchId, level: planned.level })));
    await this.producer.playBroadcasts(
      planned.broadcasts.map((broadcastJobId) => ({ broadcastJobId, level: planned.level })),
    );
    this.logger.log({
      msg: 'public warning planned',
      warningId,
      smsBatches: planned.batches.length,
      loudspeakers: planned.broadcasts.length,
    });
    return 'done';
  }

  /**
   * Sends one batch of area SMS through the SMS providers (same failover, breakers and TPS as calls). A batch claimed
   * before (its sender died, or got no answer in time) is asked about at its providers before it is sent again.
   */
  async sendSms(batchId: string, lastTry = false): Promise<JobOutcome> {
    const now = this.clock.now();
    const staleMs = this.config.sweep.staleMs;
    const [b] = await this.dataSource.query<
      Array<{
        phones: string[];
        tries: number;
        created_at: Date;
        template_key: string;
        params: TemplateVars;
        warning_state: string;
      }>
    >(
      `WITH claimed AS (
         UPDATE public_sms_batches SET status = 'sending', claimed_at = $2, tries = tries + 1, updated_at = $2
         WHERE id = $1 AND (status = 'queued' OR (status = 'sending' AND claimed_at < $3)) RETURNING phones, notice_id, tries)
       SELECT c.phones, c.tries, n.created_at, n.template_key, n.params, w.state AS warning_state
       FROM claimed c JOIN public_notices n ON n.id = c.notice_id JOIN warnings w ON w.id = n.warning_id`,
      [batchId, now, new Date(now.getTime() - staleMs)],
    );
    if (!b) {
      return 'skipped';
    }
    if (!LIVE_WARNING.includes(b.warning_state)) {
      await this.finishSms(batchId, 'cancelled', null, [], `warning ${b.warning_state}`);
      return 'skipped';
    }
    const key = `psms-${batchId}`;
    const taken =
      b.tries > 1
        ? await findTakenSms(this.registry.sms, {
            phone: b.phones[0],
            idempotencyKey: key,
            since: new Date(b.created_at.getTime() - 60_000),
          })
        : null;
    if (taken) {
      await this.finishSms(batchId, 'accepted', taken.provider, taken.messageId ? [taken.messageId] : [], null);
      countMessage('sms', taken.provider, 'accepted', 'area', b.phones.length);
      countRecovery(this.logger, 'public_sms_reconciled', 1, {
        note: 'found at its provider, not sent again',
        batchId,
        provider: taken.provider,
      });
      return 'done';
    }
    const template = this.templates.byKey('public_sms', b.template_key.replace(/^public_sms\./, ''));
    const message = { template, params: b.params, text: '' };
    const d = this.config.delivery;
    const result = await this.health.run(this.registry.sms, (p) =>
      p.send({ phones: b.phones, message, signName: d.signName, idempotencyKey: key }),
    );
    if (result.ok) {
      await this.finishSms(batchId, 'accepted', result.provider, result.messageIds, null);
      countMessage('sms', result.provider, 'accepted', 'area', b.phones.length);
      return 'done';
    }
    if (result.kind === 'throttled') {
      await this.finishSms(batchId, 'queued', null, [], null);
      throw new ProvidersThrottledError(result.waitMs);
    }
    const error = `${result.code}: ${result.error}`;
    if (result.kind === 'uncertain' && b.tries < UNCERTAIN_TRIES && !lastTry) {
      // The claim stays until stale; then the provider is asked before any resend.
      await this.dataSource.query(
        `UPDATE public_sms_batches SET error = $2, provider = $3 WHERE id = $1 AND status = 'sending'`,
        [batchId, error.slice(0, 500), result.provider],
      );
      throw new RetryLaterError(
        untilStaleMs(now, staleMs, this.clock.now()),
        `public sms batch ${batchId}: outcome unknown (${error}), asked again later`,
      );
    }
    if (result.kind === 'recipient' || lastTry) {
      await this.finishSms(batchId, 'failed', result.provider, [], error);
      countMessage('sms', result.provider, 'failed', 'area', b.phones.length);
      return 'done';
    }
    await this.finishSms(batchId, 'queued', result.provider, [], error);
    throw new TransientError(`public sms batch ${batchId}: ${error}`);
  }

  /** Publishes one play order to a loudspeaker; the device's "played" report is recorded by MqttLink. */
  async play(broadcastJobId: string): Promise<JobOutcome> {
    const now = this.clock.now();
    const [j] = await this.dataSource.query<
      Array<{
        code: string;
        text: string;
        warning_id: string;
        level: number | null;
        is_drill: boolean;
        warning_state: string;
      }>
    >(
      `WITH claimed AS (
         UPDATE broadcast_jobs SET status = 'sending', tries = tries + 1, updated_at = $2
         WHERE id = $1 AND status IN ('queued', 'sending') RETURNING notice_id, device_id)
       SELECT dv.code, n.text, w.id AS warning_id, w.level, w.is_drill, w.state AS warning_state
       FROM claimed c JOIN broadcast_devices dv ON dv.id = c.device_id JOIN public_notices n ON n.id = c.notice_id
       JOIN warnings w ON w.id = n.warning_id`,
      [broadcastJobId, now],
    );
    if (!j) {
      return 'skipped';
    }
    if (!LIVE_WARNING.includes(j.warning_state)) {
      await this.dataSource.query(`UPDATE broadcast_jobs SET status = 'cancelled', updated_at = $2 WHERE id = $1`, [
        broadcastJobId,
        now,
      ]);
      return 'skipped';
    }
    await this.mqtt.publish(j.code, {
      jobId: broadcastJobId,
      warningId: j.warning_id,
      text: j.text,
      repeat: 3,
      level: j.level,
      isDrill: j.is_drill,
    });
    await this.dataSource.query(
      `UPDATE broadcast_jobs SET status = 'published', published_at = $2, updated_at = $2 WHERE id = $1 AND status = 'sending'`,
      [broadcastJobId, this.clock.now()],
    );
    return 'done';
  }

  private async planSms(tx: EntityManager, w: WarningRow, zoneIds: string[], now: Date): Promise<string[]> {
    const d = this.config.delivery;
    const sms = composePublicSms(this.templates, w, d.signName, d.smsMaxSegments);
    const [notice] = await tx.query<Array<{ id: string }>>(
      `INSERT INTO public_notices (warning_id, channel, zone_ids, template_key, params, text, created_at)
       SELECT $1, 'sms', $2::uuid[], $3, $4, $5, $6
       WHERE EXISTS (SELECT 1 FROM resident_phones WHERE risk_zone_id = ANY($2::uuid[]))
       ON CONFLICT (warning_id, channel) DO NOTHING RETURNING id`,
      [w.id, zoneIds, `public_sms.${sms.template.key}`, JSON.stringify(sms.params), sms.full, now],
    );
    if (!notice) {
      return this.unfinished(tx, w.id, 'sms');
    }
    const batches = await tx.query<Array<{ id: string; n: number }>>(
      `INSERT INTO public_sms_batches (notice_id, seq, phones, updated_at)
       SELECT $1, (rn - 1) / $3, array_agg(phone ORDER BY rn), $4 FROM (
         SELECT phone, row_number() OVER (ORDER BY phone) AS rn
         FROM (SELECT DISTINCT phone FROM resident_phones WHERE risk_zone_id = ANY($2::uuid[])) d) x
       GROUP BY (rn - 1) / $3
       RETURNING id, cardinality(phones) AS n`,
      [notice.id, zoneIds, PUBLIC_SMS_BATCH, now],
    );
    await tx.query(`UPDATE public_notices SET recipients = $2 WHERE id = $1`, [
      notice.id,
      batches.reduce((s, b) => s + b.n, 0),
    ]);
    return batches.map((b) => b.id);
  }

  private async planBroadcasts(tx: EntityManager, w: WarningRow, zoneIds: string[], now: Date): Promise<string[]> {
    const speech = composeBroadcast(this.templates, w);
    const [notice] = await tx.query<Array<{ id: string }>>(
      `INSERT INTO public_notices (warning_id, channel, zone_ids, template_key, params, text, recipients, created_at)
       SELECT $1, 'broadcast', $2::uuid[], $3, $4, $5,
              (SELECT count(*) FROM broadcast_devices WHERE active AND risk_zone_id = ANY($2::uuid[])), $6
       WHERE EXISTS (SELECT 1 FROM broadcast_devices WHERE active AND risk_zone_id = ANY($2::uuid[]))
       ON CONFLICT (warning_id, channel) DO NOTHING RETURNING id`,
      [w.id, zoneIds, `broadcast.${speech.template.key}`, JSON.stringify(speech.params), speech.text, now],
    );
    if (!notice) {
      return this.unfinished(tx, w.id, 'broadcast');
    }
    const jobs = await tx.query<Array<{ id: string }>>(
      `INSERT INTO broadcast_jobs (notice_id, device_id, updated_at)
       SELECT $1, id, $3 FROM broadcast_devices WHERE active AND risk_zone_id = ANY($2::uuid[]) RETURNING id`,
      [notice.id, zoneIds, now],
    );
    return jobs.map((j) => j.id);
  }

  /** A plan that ran before (its job retried after a crash): what is still to send goes to the queue again. */
  private async unfinished(tx: EntityManager, warningId: string, channel: 'sms' | 'broadcast'): Promise<string[]> {
    const table = channel === 'sms' ? 'public_sms_batches' : 'broadcast_jobs';
    const rows = await tx.query<Array<{ id: string }>>(
      `SELECT x.id FROM ${table} x JOIN public_notices n ON n.id = x.notice_id
       WHERE n.warning_id = $1 AND n.channel = $2 AND x.status IN ('queued', 'sending')`,
      [warningId, channel],
    );
    return rows.map((r) => r.id);
  }

  private async finishSms(
    batchId: string,
    status: string,
    provider: string | null,
    ids: string[],
    error: string | null,
  ): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.query(
      `UPDATE public_sms_batches SET status = $2::varchar, provider = coalesce($3, provider), message_ids = $4::varchar[],
              error = $5, accepted_at = CASE WHEN $2::varchar = 'accepted' THEN $6::timestamptz ELSE accepted_at END, updated_at = $6
       WHERE id = $1`,
      [batchId, status, provider, ids, error?.slice(0, 500) ?? null, now],
    );
  }
}
