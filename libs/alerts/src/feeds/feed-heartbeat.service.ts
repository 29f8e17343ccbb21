import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@app/common';
import { EventLog, FeedsRepository } from '@app/database';
import { FeedSourceConfig } from './feed-config';
import { HeartbeatMailer } from './heartbeat-mailer';

export interface RaisedAlarm {
  sourceId: string;
  kind: 'silent' | 'failing';
  message: string;
}

/** Whether a source needs an alarm now: no successful poll, or no new entry, for longer than it may be silent. */
export function silenceOf(
  source: Pick<FeedSourceConfig, 'name' | 'maxSilenceMinutes'>,
  state: { createdAt: Date; lastSuccessAt: Date | null; lastNewEntryAt: Date | null; lastError: string | null },
  now: Date,
): Omit<RaisedAlarm, 'sourceId'> | null {
  const limitMs = source.maxSilenceMinutes * 60_000;
  const minutes = (since: Date) => Math.round((now.getTime() - since.getTime()) / 60_000);
  const lastSuccess = state.lastSuccessAt ?? state.createdAt;
  if (now.getTime() - lastSuccess.getTime() > limitMs) {
    return {
      kind: 'failing',
      message: `预警源「${source.name}」已${minutes(lastSuccess)}分钟无法获取（上限${source.maxSilenceMinutes}分钟）${state.lastError ? `：${state.lastError}` : ''}`,
    };
  }
  const lastHeard = state.lastNewEntryAt ?? state.createdAt;
  if (now.getTime() - lastHeard.getTime() > limitMs) {
    return {
      kind: 'silent',
      message: `预警源「${source.name}」已${minutes(lastHeard)}分钟没有新消息（上限${source.maxSilenceMinutes}分钟），请核实发布端是否正常`,
    };
  }
  return null;
}

/**
 * The heartbeat of every feed: a source silent (or unreachable) longer than it may be raises one alarm row the
 * duty board shows, an event, and an email to the duty officer of its region. The alarm clears when it speaks again.
 */
@Injectable()
export class FeedHeartbeatService {
  private readonly logger = new Logger(FeedHeartbeatService.name);

  constructor(
    private readonly feeds: FeedsRepository,
    private readonly events: EventLog,
    private readonly mailer: HeartbeatMailer,
    private readonly clock: Clock,
  ) {}

  async check(sources: FeedSourceConfig[]): Promise<RaisedAlarm[]> {
    const now = this.clock.now();
    const raised: RaisedAlarm[] = [];
    for (const source of sources.filter((s) => s.enabled)) {
      await this.feeds.register(source.id, now);
      const state = await this.feeds.stateOf(source.id);
      const silence = silenceOf(source, state, now);
      if (silence && (await this.raise(source, silence, now))) {
        raised.push({ sourceId: source.id, ...silence });
      }
    }
    return raised;
  }

  /** One open alarm per source and kind; returns false when it was already open. */
  private async raise(source: FeedSourceConfig, alarm: Omit<RaisedAlarm, 'sourceId'>, now: Date): Promise<boolean> {
    const alarmId = await this.feeds.raiseAlarm(
      { sourceId: source.id, kind: alarm.kind, message: alarm.message, regionCode: source.regionCode },
      now,
    );
    if (alarmId === null) {
      return false;
    }
    await this.events.append({
      type: 'SourceSilent',
      actor: 'heartbeat',
      data: {
        sourceId: source.id,
        kind: alarm.kind,
        alarmId,
        regionCode: source.regionCode,
        message: alarm.message,
      },
    });
    this.logger.warn({ msg: 'feed heartbeat alarm', sourceId: source.id, kind: alarm.kind });
    if (source.dutyEmail) {
      const subject = `【预警源告警】${source.name}${alarm.kind === 'silent' ? '长时间无消息' : '无法获取'}`;
      const text = `${alarm.message}\n\n预警源地址：${source.url}\n告警时间：${now.toISOString()}`;
      await this.mailer.send(source.dutyEmail, subject, text, `heartbeat-${alarmId}`);
    }
    return true;
  }
}
