import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, ConflictError, NotFoundError, ValidationError } from '@app/common';
import { APP_CONFIG, AppConfig, EscalationResponseName, roleLabel } from '@app/config';
import {
  EscalationsRepository,
  EventLog,
  type GatherInput,
  isUnanswered,
  UNESCALATED_UNANSWERED_STATES_SQL,
} from '@app/database';
import { AckLinks } from './ack-links';
import { NoticeService } from './notice.service';
import { JobOutcome, JobProducer } from '@app/queue';

/** A 督办's answer (its words are in the table of words). */
export type EscalationResponse = EscalationResponseName;

/** A round waits for its own deadline checks at most this long before its 督办 go out anyway (later ones join its page). */
const MAX_GATHER_MS = 60_000;

export interface SilentPerson {
  callTaskId: string;
  name: string;
  role: string;
  unit: string;
  phone: string | null;
  overdueSince: Date | null;
  /** Answered since the notice went out (shown, no longer silent). */
  answered: boolean;
}

export interface EscalationNoticeView {
  id: string;
  round: number;
  top: boolean;
  personName: string;
  sentAt: Date | null;
  deadlineAt: Date | null;
  warning: { id: string; headline: string; colour: string | null; isDrill: boolean; state: string };
  /** Grouped by unit, in unit order. */
  units: Array<{ unit: string; people: SilentPerson[] }>;
  answers: Array<{
    response: EscalationResponse;
    at: Date;
    note: string | null;
    who: string | null;
    eta: string | null;
    names: string[];
  }>;
}

export interface EscalationAnswerInput {
  response: EscalationResponse;
  callTaskIds?: string[];
  note?: string | null;
  who?: string | null;
  eta?: string | null;
}

/** A round as people say it: round 0 is the one before any deadline (people nobody can reach, told at once). */
export function roundZh(round: number): string {
  return round === 0 ? '即时督办' : `第${round}轮督办`;
}

/** Minutes overdue as people say it. */
export function overdueZh(since: Date | null, now: Date): string {
  if (!since) {
    return '';
  }
  const min = Math.max(0, Math.round((now.getTime() - since.getTime()) / 60_000));
  return min < 60 ? `已超时${min}分钟` : `已超时${Math.floor(min / 60)}小时${min % 60 ? `${min % 60}分钟` : ''}`;
}

/**
 * 督办 (escalation notices): when silent calls escalate, each person of the step reached gets one notice per round
 * listing the silent people, however many paths point at them. A round is an escalation wave of the warning (see
 * gather); its notice gathers while the round's deadline checks run (ESCALATION_GATHER_MS of quiet, at most
 * MAX_GATHER_MS) and is then written out once as SMS (how many, and the link) and email (the list).
 * Its page and answers (已收到督办 / 已联系上 / 已派人前往) are its own 履职记录, apart from the person's own call.
 */
@Injectable()
export class EscalationNotices {
  private readonly logger = new Logger(EscalationNotices.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly escalations: EscalationsRepository,
    private readonly links: AckLinks,
    private readonly notices: NoticeService,
    private readonly jobs: JobProducer,
    private readonly events: EventLog,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * In the escalating calls' transaction: adds each silent call to each person's notice of this round of the
   * warning, opening it where there is none. A round is the warning's escalation wave (Escalator: the call's first
   * round plus its step), not a stretch of clock time: checks of a round that run after its notice went out (a big
   * round, a busy escalator) join that notice, shown on its page, and never open a second one. Returns the notices
   * opened here.
   */
  async gather(tx: EntityManager, inputs: GatherInput[], now: Date): Promise<string[]> {
    return this.escalations.gather(tx, inputs, now);
  }

  /** Whether someone reported acting on this silent call (已联系上 naming it, or 已派人前往): its climb stops. */
  async actedOn(tx: EntityManager, callTaskId: string): Promise<boolean> {
    const [row] = await tx.query<unknown[]>(
      `SELECT 1 FROM escalation_notice_items i JOIN escalation_answers a ON a.notice_id = i.notice_id
       WHERE i.call_task_id = $1 AND (a.response = 'dispatched' OR (a.response = 'contacted' AND $1 = ANY(a.call_task_ids)))
       LIMIT 1`,
      [callTaskId],
    );
    return !!row;
  }

  /** Whether this person answered a 督办 of this warning since `since` (their reminders pause for that round). */
  async answeredSince(tx: EntityManager, warningId: string, personId: string, since: Date): Promise<boolean> {
    const [row] = await tx.query<unknown[]>(
      `SELECT 1 FROM escalation_answers a JOIN escalation_notices n ON n.id = a.notice_id
       WHERE n.warning_id = $1 AND a.person_id = $2 AND a.at > $3 LIMIT 1`,
      [warningId, personId, since],
    );
    return !!row;
  }

  /**
   * The job after a round gathered: still growing ⇒ looked at again after another quiet period; otherwise marked
   * sent and written as notices (nothing when every call in it was answered meanwhile or the warning stopped).
   */
  async send(noticeId: string): Promise<JobOutcome> {
    const now = this.clock.now();
    const gatherMs = this.config.timers.escalationGatherMs;
    const outcome = await this.dataSource.transaction(async (tx) => {
      // NO KEY UPDATE: the checks still adding items (FK KEY SHARE on this row) are never blocked by it. The warning
      // row shared, like every writer of a warning's messages: a lift waits for this, or this sees the warning lifted.
      const [n] = await tx.query<
        Array<{
          id: string;
          person_id: string;
          warning_id: string;
          sent_at: Date | null;
          last: Date | null;
          headline: string;
          created_at: Date;
          w_state: string;
          expires_at: Date | null;
          is_drill: boolean;
          top: boolean;
          deadline_at: Date | null;
          round: number;
          due_unchecked: boolean;
        }>
      >(
        `SELECT n.id, n.person_id, n.warning_id, n.sent_at, n.top, n.deadline_at, n.round, n.created_at, w.headline, w.state AS w_state,
                w.expires_at, w.is_drill, (SELECT max(i.added_at) FROM escalation_notice_items i WHERE i.notice_id = n.id) AS last,
                EXISTS (SELECT 1 FROM call_tasks t WHERE t.warning_id = n.warning_id AND t.requires_ack AND t.deadline_at <= $2
                          AND (t.state IN ${UNESCALATED_UNANSWERED_STATES_SQL}
                               OR (t.state = 'escalated' AND t.escalation_step BETWEEN 1 AND jsonb_array_length(t.escalation_path)))) AS due_unchecked
         FROM escalation_notices n JOIN warnings w ON w.id = n.warning_id WHERE n.id = $1 FOR NO KEY UPDATE OF n FOR SHARE OF w`,
        [noticeId, now],
      );
      if (!n || n.sent_at) {
        return null;
      }
      // The round is still being checked: calls of this warning past their deadline whose check has not run yet (a
      // big round, a busy escalator), or an item added within the gather window. Not forever: MAX_GATHER_MS at most.
      const growing = (n.last && n.last.getTime() > now.getTime() - gatherMs) || n.due_unchecked;
      if (
        n.w_state === 'tracking' &&
        growing &&
        now.getTime() - n.created_at.getTime() < Math.max(MAX_GATHER_MS, 20 * gatherMs)
      ) {
        return { regather: n.last && n.last.getTime() > now.getTime() - gatherMs ? n.last : now };
      }
      await this.escalations.markNoticeSent(tx, n.id, now);
      const silent = (await this.silentPeople(tx, n.id)).filter((p) => !p.answered);
      if (n.w_state !== 'tracking' || silent.length === 0) {
        return { ids: [] as string[] };
      }
      const url = this.links.escalationUrl(this.links.escalationToken(n.id, n.person_id, n.expires_at));
      const units = [...new Set(silent.map((p) => p.unit))];
      const expected = n.top
        ? '请立即督促；仍联系不上的，值班台将逐一电话叫应。'
        : '请立即督促其应答，必要时派人前往或电话叫应，并在页面上报处置情况。';
      const lines = silent.map(
        (p) => `${p.unit} ${p.name}（${p.role}）${p.phone ?? '无电话'} ${overdueZh(p.overdueSince, now)}`,
      );
      const ids = await this.notices.write(
        tx,
        [
          {
            personId: n.person_id,
            kind: 'escalation',
            dedupeKey: `dubang-${n.id}`,
            warningId: n.warning_id,
            subject: `【升级督办】${roundZh(n.round)}：${units.join('、')}${silent.length}人未应答：${n.headline}`,
            body: `${n.headline}\n${url}\n以下${silent.length}人未在时限内应答（${roundZh(n.round)}）：\n${lines.join('\n')}\n${expected}`,
          },
        ],
        now,
      );
      await this.events.append(
        {
          type: 'EscalationNoticeSent',
          warningId: n.warning_id,
          data: { noticeId: n.id, personId: n.person_id, round: n.round, silent: silent.length },
        },
        tx,
      );
      return { ids };
    });
    if (outcome && 'regather' in outcome && outcome.regather) {
      await this.jobs.scheduleEscalationNotices([noticeId], outcome.regather, now);
      return 'skipped';
    }
    if (outcome) {
      await this.jobs.sendNotices(outcome.ids);
    }
    return outcome ? 'done' : 'skipped';
  }

  /** The 督办 sent to the person of this call for its warning, newest first, with their links (for the ack page). */
  async linksForCall(callTaskId: string): Promise<Array<{ round: number; silent: number; url: string }>> {
    const rows = await this.dataSource.query<
      Array<{ id: string; person_id: string; round: number; silent: number; expires_at: Date | null }>
    >(
      `SELECT n.id, n.person_id, n.round, w.expires_at,
              (SELECT count(*)::int FROM escalation_notice_items i WHERE i.notice_id = n.id) AS silent
       FROM call_tasks t JOIN escalation_notices n ON n.warning_id = t.warning_id AND n.person_id = t.person_id
       JOIN warnings w ON w.id = n.warning_id
       WHERE t.id = $1 AND n.sent_at IS NOT NULL ORDER BY n.round DESC LIMIT 10`,
      [callTaskId],
    );
    return rows.map((r) => ({
      round: r.round,
      silent: r.silent,
      url: this.links.escalationUrl(this.links.escalationToken(r.id, r.person_id, r.expires_at)),
    }));
  }

  async view(token: string): Promise<EscalationNoticeView> {
    const claims = this.links.verify(token, 'escalation');
    const view = await this.load(claims.sub, claims.per);
    await this.events.append({
      type: 'EscalationNoticeOpened',
      warningId: view.warning.id,
      actor: `person:${claims.per}`,
      data: { noticeId: view.id },
    });
    return view;
  }

  /** Every answer is kept (已收到督办, then 已联系上 …); a repeat of the same answer records nothing new. */
  async answerByToken(token: string, input: EscalationAnswerInput): Promise<{ already: boolean }> {
    const claims = this.links.verify(token, 'escalation');
    const now = this.clock.now();
    return this.dataSource.transaction(async (tx) => {
      const [n] = await tx.query<Array<{ id: string; warning_id: string; w_state: string }>>(
        `SELECT n.id, n.warning_id, w.state AS w_state FROM escalation_notices n JOIN warnings w ON w.id = n.warning_id
         WHERE n.id = $1 AND n.person_id = $2 FOR UPDATE OF n`,
        [claims.sub, claims.per],
      );
      if (!n) {
        throw new NotFoundError('督办链接无效。(unknown escalation notice)');
      }
      if (n.w_state !== 'tracking') {
        throw new ConflictError('该预警已更新或解除，督办已结束，无需再上报。(warning no longer tracking)');
      }
      const ids = [...new Set(input.callTaskIds ?? [])];
      if (input.response === 'contacted') {
        const [{ count }] = await tx.query<Array<{ count: number }>>(
          `SELECT count(*)::int AS count FROM escalation_notice_items WHERE notice_id = $1 AND call_task_id = ANY($2::uuid[])`,
          [n.id, ids],
        );
        if (ids.length === 0 || count !== ids.length) {
          throw new ValidationError(
            '请勾选已联系上的人员（须为本督办所列人员）。(pick whom you reached from this notice)',
          );
        }
      }
      const [same] = await tx.query<unknown[]>(
        `SELECT 1 FROM escalation_answers WHERE notice_id = $1 AND response = $2 AND call_task_ids = $3::uuid[]`,
        [n.id, input.response, ids.sort()],
      );
      if (same) {
        return { already: true };
      }
      await this.escalations.addAnswer(tx, {
        noticeId: n.id,
        personId: claims.per,
        response: input.response,
        callTaskIds: ids.sort(),
        note: input.note ?? null,
        who: input.who ?? null,
        eta: input.eta ?? null,
        at: now,
      });
      await this.events.append(
        {
          type: 'EscalationNoticeAnswered',
          warningId: n.warning_id,
          actor: `person:${claims.per}`,
          data: {
            noticeId: n.id,
            response: input.response,
            callTaskIds: ids,
            note: input.note ?? undefined,
            who: input.who ?? undefined,
            eta: input.eta ?? undefined,
          },
        },
        tx,
      );
      this.logger.log({ msg: 'escalation notice answered', noticeId: n.id, response: input.response });
      return { already: false };
    });
  }

  private async load(noticeId: string, personId: string): Promise<EscalationNoticeView> {
    const [n] = await this.dataSource.query<Array<Record<string, unknown>>>(
      `SELECT n.id, n.round, n.top, n.sent_at, n.deadline_at, p.name AS person_name, w.id AS w_id, w.headline, w.colour,
              w.is_drill, w.state AS w_state
       FROM escalation_notices n JOIN persons p ON p.id = n.person_id JOIN warnings w ON w.id = n.warning_id
       WHERE n.id = $1 AND n.person_id = $2`,
      [noticeId, personId],
    );
    if (!n) {
      throw new NotFoundError('督办链接无效。(unknown escalation notice)');
    }
    const people = await this.silentPeople(this.dataSource.manager, noticeId);
    const units = new Map<string, SilentPerson[]>();
    people.forEach((p) => units.set(p.unit, [...(units.get(p.unit) ?? []), p]));
    const names = new Map(people.map((p) => [p.callTaskId, p.name]));
    const answers = await this.dataSource.query<
      Array<{
        response: EscalationResponse;
        at: Date;
        note: string | null;
        who: string | null;
        eta: string | null;
        call_task_ids: string[];
      }>
    >(
      `SELECT response, at, note, who, eta, call_task_ids FROM escalation_answers WHERE notice_id = $1 ORDER BY at, id`,
      [noticeId],
    );
    return {
      id: n.id as string,
      round: n.round as number,
      top: n.top as boolean,
      personName: n.person_name as string,
      sentAt: n.sent_at as Date | null,
      deadlineAt: n.deadline_at as Date | null,
      warning: {
        id: n.w_id as string,
        headline: n.headline as string,
        colour: n.colour as string | null,
        isDrill: n.is_drill as boolean,
        state: n.w_state as string,
      },
      units: [...units].map(([unit, list]) => ({ unit, people: list })),
      answers: answers.map((a) => ({ ...a, names: a.call_task_ids.map((id) => names.get(id) ?? '') })),
    };
  }

  /** The people of a notice: role from the first reason that names one, unit, best phone, since when overdue. */
  private async silentPeople(manager: EntityManager, noticeId: string): Promise<SilentPerson[]> {
    const rows = await manager.query<
      Array<{
        id: string;
        name: string;
        role: string | null;
        unit: string | null;
        phone: string | null;
        overdue_since: Date | null;
        state: string;
      }>
    >(
      `SELECT t.id, p.name, t.state, t.overdue_since, u.name AS unit,
              (SELECT r->>'roleSlot' FROM jsonb_array_elements(t.reasons) r WHERE r ? 'roleSlot' LIMIT 1) AS role,
              (SELECT c.address FROM contact_methods c WHERE c.person_id = p.id AND c.channel IN ('voice','sms') AND c.invalid_at IS NULL
               ORDER BY (c.channel = 'voice') DESC, c.priority LIMIT 1) AS phone
       FROM escalation_notice_items i JOIN call_tasks t ON t.id = i.call_task_id JOIN persons p ON p.id = t.person_id
       LEFT JOIN admin_units u ON u.code = p.admin_unit_code
       WHERE i.notice_id = $1 ORDER BY p.admin_unit_code, p.name, t.id`,
      [noticeId],
    );
    return rows.map((r) => ({
      callTaskId: r.id,
      name: r.name,
      role: r.role ? roleLabel(r.role) : '责任人',
      unit: r.unit ?? '未知单位',
      phone: r.phone,
      overdueSince: r.overdue_since,
      answered: !isUnanswered(r.state),
    }));
  }
}
