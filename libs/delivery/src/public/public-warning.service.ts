import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, countMessage, countRecovery, TransientError } from '@app/common';
import { APP_CONFIG, AppConfig, HIGH_RISK_GRADES } from '@app/config';
import { EventLog, PublicNoticesRepository } from '@app/database';
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
    private readonly publicNotices: PublicNoticesRepository,
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
    const b = await this.publicNotices.claimSmsBatch<TemplateVars>(
      this.dataSource.manager,
      batchId,
      now,
      new Date(now.getTime() - staleMs),
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
      await this.publicNotices.keepSmsClaim(this.dataSource.manager, batchId, error, result.provider);
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
    const j = await this.publicNotices.claimBroadcast(this.dataSource.manager, broadcastJobId, now);
    if (!j) {
      return 'skipped';
    }
    if (!LIVE_WARNING.includes(j.warning_state)) {
      await this.publicNotices.cancelBroadcast(this.dataSource.manager, broadcastJobId, now);
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
    await this.publicNotices.markPublished(this.dataSource.manager, broadcastJobId, this.clock.now());
    return 'done';
  }

  private async planSms(tx: EntityManager, w: WarningRow, zoneIds: string[], now: Date): Promise<string[]> {
    const d = this.config.delivery;
    const sms = composePublicSms(this.templates, w, d.signName, d.smsMaxSegments);
    const noticeId = await this.publicNotices.addSmsNotice(
      tx,
      { warningId: w.id, zoneIds, templateKey: `public_sms.${sms.template.key}`, params: sms.params, text: sms.full },
      now,
    );
    if (!noticeId) {
      return this.publicNotices.unfinished(tx, w.id, 'sms');
    }
    return this.publicNotices.addSmsBatches(tx, noticeId, zoneIds, PUBLIC_SMS_BATCH, now);
  }

  private async planBroadcasts(tx: EntityManager, w: WarningRow, zoneIds: string[], now: Date): Promise<string[]> {
    const speech = composeBroadcast(this.templates, w);
    const noticeId = await this.publicNotices.addBroadcastNotice(
      tx,
      {
        warningId: w.id,
        zoneIds,
        templateKey: `broadcast.${speech.template.key}`,
        params: speech.params,
        text: speech.text,
      },
      now,
    );
    if (!noticeId) {
      // A plan that ran before (its job retried after a crash): what is still to send goes to the queue again.
      return this.publicNotices.unfinished(tx, w.id, 'broadcast');
    }
    return this.publicNotices.addBroadcastJobs(tx, noticeId, zoneIds, now);
  }

  private async finishSms(
    batchId: string,
    status: string,
    provider: string | null,
    ids: string[],
    error: string | null,
  ): Promise<void> {
    await this.publicNotices.finishSmsBatch(
      this.dataSource.manager,
      batchId,
      { status, provider, messageIds: ids, error },
      this.clock.now(),
    );
  }
}
