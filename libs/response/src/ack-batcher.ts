import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConflictError, NotFoundError } from '@app/common';
import { PeerNotices } from '@app/calls';
import type { AckMethod, AckResponse } from '@app/database';
import { AnsweredCall, FirstAnswerRow, isWithdrawn, PlainAnswerOutcome, recordPlainAnswers } from '@app/database';

export type { AnsweredCall } from '@app/database';

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

/** Answers that only record (no evacuation report, no escalation): these can be written together. */
const PLAIN: ReadonlySet<AckResponse> = new Set(['received', 'on_post']);

export type BatchVerdict =
  | { kind: 'recorded'; warningId: string; late: boolean; peers: boolean; plannedAt: Date }
  /** 已收到 again on a call answered before: nothing written, the first answer stands. */
  | { kind: 'repeat'; response: AckResponse; late: boolean; at: Date }
  | { kind: 'refused'; error: Error }
  /** Not for the batch (progress after an answer, a duplicate in the batch, or the batch failed): the full path. */
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

/**
 * Statements of answers in flight at once; answers arriving meanwhile wait and go together in the next. Two keep both
 * cores of PostgreSQL busy; each more splits the waiting answers into smaller statements, each planned anew.
 */
const MAX_IN_FLIGHT = 2;
const MAX_BATCH = 250;

/** The verdict on one answer from what its batch's statement found and did. */
function verdictOf(answer: FirstAnswer, o: PlainAnswerOutcome): BatchVerdict {
  const call: AnsweredCall | undefined = o.id ? { ...o, id: o.id } : undefined;
  if (call && o.written) {
    return {
      kind: 'recorded',
      warningId: call.warning_id,
      late: !!o.late,
      peers: !!o.peers_due,
      plannedAt: call.created_at,
    };
  }
  const answered = !!o.prior_response || call?.state === 'acknowledged';
  const error = refusal(call, answer, answered);
  if (error) {
    return { kind: 'refused', error };
  }
  if (o.prior_response && o.prior_at && answer.input.response === 'received') {
    return { kind: 'repeat', response: o.prior_response as AckResponse, late: !!o.prior_late, at: o.prior_at };
  }
  return { kind: 'full' };
}

/**
 * Writes plain first answers (已收到, 已到岗) together and answers their repeats: the answers read in one turn of the
 * event loop, and those arriving while earlier statements are in flight, go as one statement (recordPlainAnswers:
 * lock, check, write), so a burst of answers costs a few round trips and commits, not several each, and a lone answer
 * goes at once. Each answer is checked on its own; one refused answer does not hold back the others.
 */
@Injectable()
export class AckBatcher {
  private readonly logger = new Logger(AckBatcher.name);
  private pending: Array<{ answer: FirstAnswer; done: (v: BatchVerdict) => void }> = [];
  private inFlight = 0;
  private scheduled = false;

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
      // After the requests read in this turn of the event loop: a burst's answers then share their first statement.
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
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
      const answers = batch.map((b) => b.answer);
      const outcomes = await recordPlainAnswers(
        this.dataSource.manager,
        answers.map((a) => ({
          ...a,
          response: a.input.response,
          note: a.input.note ?? null,
          at: a.now,
          peersIfTracking: this.peers.wanted(a.input.response, true),
        })),
      );
      verdicts = answers.map((a, i) => verdictOf(a, outcomes[i]));
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
}
