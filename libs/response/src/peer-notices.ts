import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@app/config';
import type { AckResponse } from '@app/database';
import { NoticeService } from './notice.service';

export const RESPONSE_ZH: Record<AckResponse, string> = {
  received: '已收到',
  on_post: '已到岗',
  evacuating: '已组织转移',
  cannot_comply: '无法履职',
};

/**
 * By config (ACK_NOTIFY_PEERS): when someone answers, the others called in the same dispatch for the same zone or
 * object (its 三个责任人, monitors …) get a notice saying who answered. A notice, never a new call.
 */
@Injectable()
export class PeerNotices {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly notices: NoticeService,
  ) {}

  async write(tx: EntityManager, callTaskId: string, response: AckResponse, now: Date): Promise<string[]> {
    if (!this.config.ack.notifyPeers) {
      return [];
    }
    const peers = await tx.query<Array<{ person_id: string; targets: string; name: string; headline: string; warning_id: string }>>(
      `WITH mine AS (
         SELECT t.id, t.dispatch_id, t.warning_id, r->>'targetType' AS tt, r->>'targetId' AS tid, r->>'targetName' AS tname
         FROM call_tasks t, jsonb_array_elements(t.reasons) r
         WHERE t.id = $1 AND r->>'targetType' IN ('zone','object'))
       SELECT o.person_id, string_agg(DISTINCT m.tname, '、') AS targets, p.name, w.headline, w.id AS warning_id
       FROM mine m JOIN call_tasks o ON o.dispatch_id = m.dispatch_id AND o.id <> m.id
       JOIN LATERAL jsonb_array_elements(o.reasons) orr ON orr->>'targetType' = m.tt AND orr->>'targetId' = m.tid
       JOIN call_tasks me ON me.id = m.id JOIN persons p ON p.id = me.person_id JOIN warnings w ON w.id = m.warning_id
       WHERE o.person_id <> me.person_id
       GROUP BY o.person_id, p.name, w.headline, w.id`,
      [callTaskId],
    );
    return this.notices.write(
      tx,
      peers.map((peer) => ({
        personId: peer.person_id,
        kind: 'answered_by_peer' as const,
        dedupeKey: `peer-${callTaskId}-${peer.person_id}`,
        warningId: peer.warning_id,
        subject: `【应答通报】${peer.name} ${RESPONSE_ZH[response]}：${peer.headline}`,
        body: `${peer.headline}\n${peer.targets}：${peer.name} 已确认“${RESPONSE_ZH[response]}”。\n本消息仅为通报，无需回复；您自己的叫应仍需按时确认。`,
      })),
      now,
    );
  }
}
