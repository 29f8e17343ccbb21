import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import { ANSWER_ZH, APP_CONFIG, AppConfig } from '@app/config';
import type { AckResponse } from '@app/database';
import { clearPeersDue } from '@app/database';
import { JobOutcome, JobProducer } from '@app/queue';
import { NoticeService } from './notice.service';

/** Answers taken per job; more wait for the next. */
const BATCH = 1000;

interface PeerRow {
  peer_id: string;
  call_task_id: string;
  name: string;
  response: AckResponse;
  targets: string;
  headline: string;
}

/**
 * By config (ACK_NOTIFY_PEERS): when someone answers, the others called in the same dispatch for the same zone or
 * object (its 三个责任人, monitors …) get a notice saying who answered. A notice, never a new call. Written after the
 * answer, not in its transaction: the answer is marked `peers_due` and one job per warning and gathering window
 * (ACK_PEER_NOTICE_GATHER_MS) writes them, one notice per person for everyone of their zone who answered in it.
 */
@Injectable()
export class PeerNotices {
  /** Windows this process already asked a job for (most answers need no Redis round trip). */
  private readonly asked = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly notices: NoticeService,
    private readonly jobs: JobProducer,
    private readonly clock: Clock,
  ) {}

  /** Whether an answer of this kind tells the others (the answer row's `peers_due`). */
  wanted(response: AckResponse, tracking: boolean): boolean {
    return this.config.ack.notifyPeers && tracking && response !== 'cannot_comply';
  }

  /** After the answer's commit: the warning's job of this window (the sweep covers a crash before it). */
  async schedule(warningId: string): Promise<void> {
    // The window of now, after the commit: its job cannot have run yet, so it will see this answer.
    const now = this.clock.now();
    const windowMs = this.config.ack.peerGatherMs;
    const key = `${warningId}-${Math.floor(now.getTime() / windowMs)}`;
    if (this.asked.has(key)) {
      return;
    }
    await this.jobs.notifyPeers(warningId, now, windowMs);
    if (this.asked.size > 10_000) {
      this.asked.clear();
    }
    this.asked.add(key);
  }

  /** The job: the warning's answers marked `peers_due`, their notices written and sent; none once it stopped tracking. */
  async flush(warningId: string): Promise<JobOutcome> {
    const now = this.clock.now();
    const outcome = await this.dataSource.transaction(async (tx) => {
      // Shared, like every writer of a warning's messages: a lift waits for this, or this sees the warning lifted.
      const [w] = await tx.query<Array<{ state: string; headline: string }>>(
        `SELECT state, headline FROM warnings WHERE id = $1 FOR SHARE`,
        [warningId],
      );
      const due = await tx.query<Array<{ call_task_id: string }>>(
        `SELECT a.call_task_id FROM acknowledgements a JOIN call_tasks t ON t.id = a.call_task_id
         WHERE a.peers_due AND t.warning_id = $1 ORDER BY a.acknowledged_at LIMIT ${BATCH} FOR UPDATE OF a SKIP LOCKED`,
        [warningId],
      );
      if (due.length === 0) {
        return { ids: [] as string[], more: false };
      }
      const answered = due.map((d) => d.call_task_id);
      await clearPeersDue(tx, answered);
      if (!w || w.state !== 'tracking') {
        return { ids: [] as string[], more: false };
      }
      // The others of each answerer's zones and objects: through the roster's assignments on them (an index each),
      // kept only where their call of the dispatch names that target as the match made it. Never a scan of the
      // dispatch's calls: that made every answer of a big warning cost as much as all of its calls.
      const rows = await tx.query<PeerRow[]>(
        `WITH mine AS (
           SELECT t.id, t.dispatch_id, t.person_id, r->>'targetType' AS tt, r->>'targetId' AS tid, r->>'targetName' AS tname
           FROM call_tasks t, jsonb_array_elements(t.reasons) r
           WHERE t.id = ANY($1::uuid[]) AND r->>'targetType' IN ('zone','object'))
         SELECT o.person_id AS peer_id, m.id AS call_task_id, p.name, a.response, string_agg(DISTINCT m.tname, '、') AS targets, $2::text AS headline
         FROM mine m
         JOIN responsibility_assignments ra ON ra.target_type = m.tt AND ra.target_id = m.tid
         JOIN call_tasks o ON o.dispatch_id = m.dispatch_id AND o.person_id = ra.person_id AND o.id <> m.id
         JOIN persons p ON p.id = m.person_id JOIN acknowledgements a ON a.call_task_id = m.id
         WHERE o.person_id <> m.person_id
           AND EXISTS (SELECT 1 FROM jsonb_array_elements(o.reasons) orr WHERE orr->>'targetType' = m.tt AND orr->>'targetId' = m.tid)
         GROUP BY o.person_id, m.id, p.name, a.response
         ORDER BY o.person_id, min(a.acknowledged_at), m.id`,
        [answered, w.headline],
      );
      const byPeer = new Map<string, PeerRow[]>();
      rows.forEach((r) => byPeer.set(r.peer_id, [...(byPeer.get(r.peer_id) ?? []), r]));
      const ids = await this.notices.write(
        tx,
        [...byPeer].map(([peerId, list]) => peerNotice(warningId, peerId, list)),
        now,
      );
      return { ids, more: due.length === BATCH };
    });
    await this.jobs.sendNotices(outcome.ids);
    if (outcome.more) {
      await this.jobs.notifyPeers(warningId, now, 1);
    }
    return outcome.ids.length > 0 ? 'done' : 'skipped';
  }
}

/** One person's notice for the answers of their zones in one window (one answer: as it always read). */
function peerNotice(warningId: string, peerId: string, list: PeerRow[]) {
  const who = list.map((r) => `${r.name} ${ANSWER_ZH[r.response]}`).join('、');
  const lines = list.map((r) => `${r.targets}：${r.name} 已确认“${ANSWER_ZH[r.response]}”。`);
  const key =
    list.length === 1
      ? list[0].call_task_id
      : createHash('sha256')
          .update(
            list
              .map((r) => r.call_task_id)
              .sort()
              .join(','),
          )
          .digest('hex')
          .slice(0, 40);
  return {
    personId: peerId,
    kind: 'answered_by_peer' as const,
    dedupeKey: `peer-${key}-${peerId}`,
    warningId,
    subject: `【应答通报】${who}：${list[0].headline}`,
    body: `${list[0].headline}\n${lines.join('\n')}\n本消息仅为通报，无需回复；您自己的叫应仍需按时确认。`,
  };
}
