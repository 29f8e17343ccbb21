import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ConflictError, NotFoundError } from '@app/common';
import type { AckMethod, AckResponse } from '@app/database';
import { FirstAnswerRow, isWithdrawn, writeFirstAnswers } from '@app/database';
import { PeerNotices } from '@app/calls';

export interface AckInput {
  response: AckResponse;
  note?: string | null;
  headCount?: number | null;
}

/** A first answer as asked: the call, who answers, how, and when. */
export interface FirstAnswer {
  callTaskId: string;
  personId: string;
  input: AckInput;
  method: AckMethod;
  actor: string;
  now: Date;
}

/** The locked call a first answer is checked against. */
export interface AnsweredCall {
  id: string;
  warning_id: string;
  person_id: string;
  state: string;
  warning_state: string;
  msg_type: string;
  /** When the call was planned (for the time to answer in /metrics). */
  created_at: Date;
}

/** Answers that only record (no evacuation report, no escalation): these can be written together. */
const PLAIN: ReadonlySet<AckResponse> = new Set(['received', 'on_post']);

export type BatchVerdict =
  | { kind: 'recorded'; warningId: string; late: boolean; peers: boolean; plannedAt: Date }
  | { kind: 'refused'; error: Error }
  /** Not for the batch (already answered, a duplicate in the batch, or the batch failed): take the full path. */
  | { kind: 'full' };

/** Why an answer cannot be taken on this call (a closed call still takes progress once answered); null when it can. */
export function refusal(call: AnsweredCall | undefined, answer: FirstAnswer, answered = false): Error | null {
  if (!call || call.person_id !== answer.personId) {
    return new NotFoundError('确认链接无效。(unknown call)');
  }
  if (call.msg_type === 'cancel' && answer.input.response !== 'received') {
    return new ConflictError('这是预警解除通知，只需确认“已收到”。(a lift notice takes 已收到 only)', {
      field: 'response',
      problem: 'lift notice',
    });
  }
  if (!answered && isWithdrawn(call.state)) {
    return new ConflictError('该预警已更新或解除，此次叫应已结束，无需再确认。(call closed)');
  }
  return null;
}

/** The row written for a first answer on a call that passed `refusal`. */
export function firstAnswerRow(call: AnsweredCall, answer: FirstAnswer, peersDue: boolean): FirstAnswerRow {
  const { input, method, actor, now } = answer;
  const late = call.state === 'escalated';
  return {
    callTaskId: call.id,
    personId: call.person_id,
    warningId: call.warning_id,
    method,
    response: input.response,
    note: input.note ?? null,
    headCount: input.headCount ?? null,
    late,
    at: now,
    peersDue,
    eventType: late ? 'CallAcknowledgedLate' : 'CallAcknowledged',
    actor,
    eventData: {
      method,
      response: input.response,
      headCount: input.headCount ?? undefined,
      note: input.note ?? undefined,
    },
    kind: input.response === 'cannot_comply' ? 'cannot_comply' : late ? 'answered_late' : 'answered',
    performanceDetail: { method, response: input.response, note: input.note ?? undefined },
  };
}

/** Transactions of answers in flight at once; answers arriving meanwhile wait and go together in the next. */
const MAX_IN_FLIGHT = 4;
const MAX_BATCH = 250;

/**
 * Writes plain first answers (已收到, 已到岗) together: while earlier answers' transactions are in flight, new ones
 * gather and go as one transaction (lock, check, one write), so a burst of answers costs a few commits, not one each,
 * and a lone answer goes at once. Each answer is checked on its own; one refused answer does not hold back the others.
 */
@Injectable()
export class AckBatcher {
  private readonly logger = new Logger(AckBatcher.name);
  private pending: Array<{ answer: FirstAnswer; done: (v: BatchVerdict) => void }> = [];
  private inFlight = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly peers: PeerNotices,
  ) {}

  static takes(input: AckInput): boolean {
    return PLAIN.has(input.response);
  }

  submit(answer: FirstAnswer): Promise<BatchVerdict> {
    return new Promise((done) => {
      this.pending.push({ answer, done });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH);
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async flush(batch: Array<{ answer: FirstAnswer; done: (v: BatchVerdict) => void }>): Promise<void> {
    let verdicts: BatchVerdict[];
    try {
      verdicts = await this.dataSource.transaction((tx) =>
        this.record(
          tx,
          batch.map((b) => b.answer),
        ),
      );
    } catch (e) {
      // A deadlock or a lost connection: each answer takes the full path on its own (and its own error, if any).
      this.logger.warn({
        msg: 'answers written one by one after their batch failed',
        answers: batch.length,
        error: String(e),
      });
      verdicts = batch.map(() => ({ kind: 'full' }));
    }
    batch.forEach((b, i) => b.done(verdicts[i]));
  }

  private async record(tx: EntityManager, answers: FirstAnswer[]): Promise<BatchVerdict[]> {
    const ids = [...new Set(answers.map((a) => a.callTaskId))];
    // Warnings first (shared, as the single path and the lift take them), then the calls, each in id order. The calls
    // are read after their locks are held, by a statement of its own: it sees an answer committed while it waited.
    await tx.query(
      `SELECT 1 FROM warnings WHERE id IN (SELECT warning_id FROM call_tasks WHERE id = ANY($1::uuid[])) ORDER BY id FOR SHARE`,
      [ids],
    );
    await tx.query(`SELECT 1 FROM call_tasks WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE`, [ids]);
    const calls = await tx.query<Array<AnsweredCall & { answered: boolean }>>(
      `SELECT t.id, t.warning_id, t.person_id, t.state, w.state AS warning_state, w.msg_type, t.created_at, a.id IS NOT NULL AS answered
       FROM call_tasks t JOIN warnings w ON w.id = t.warning_id LEFT JOIN acknowledgements a ON a.call_task_id = t.id
       WHERE t.id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(calls.map((c) => [c.id, c]));
    const taken = new Set<string>();
    const rows: FirstAnswerRow[] = [];
    const verdicts = answers.map((answer): BatchVerdict => {
      const call = byId.get(answer.callTaskId);
      if (call?.answered || taken.has(answer.callTaskId)) {
        return { kind: 'full' };
      }
      const error = refusal(call, answer);
      if (error || !call) {
        return { kind: 'refused', error: error as Error };
      }
      taken.add(call.id);
      const peers = this.peers.wanted(answer.input.response, call.warning_state === 'tracking');
      const row = firstAnswerRow(call, answer, peers);
      rows.push(row);
      return { kind: 'recorded', warningId: call.warning_id, late: row.late, peers, plannedAt: call.created_at };
    });
    await writeFirstAnswers(tx, rows);
    return verdicts;
  }
}
