import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** One repeat non-responder to put on the problem list (问题清单), resting on the last warning they did not answer. */
export interface RepeatOffenderIssue {
  personId: string;
  unitCode: string;
  chainId: string;
  warningId: string;
  title: string;
  detail: Record<string, unknown>;
}

export type DailyReportClaim = 'claimed' | 'already_sent';

/**
 * The writes of the commander's reports, in one place: repeat-offender items of the problem list and the daily duty
 * report's once-per-day record.
 */
@Injectable()
export class ReportRecords {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Adds an open item per person, owned like closure items (their 包干 leader, else the county duty officer). A
   * person who already has a repeat-offender item not yet struck off keeps it: returns only the ids added.
   */
  async addRepeatOffenderIssues(items: RepeatOffenderIssue[], now: Date, tx: EntityManager): Promise<Array<{ id: string; personId: string }>> {
    if (items.length === 0) {
      return [];
    }
    return tx.query<Array<{ id: string; personId: string }>>(
      `INSERT INTO issue_items (chain_id, warning_id, person_id, owner_person_id, unit_code, kind, title, state, detail, created_at, updated_at)
       SELECT i.chain_id, i.warning_id, i.person_id,
         coalesce((SELECT c.leader_person_id FROM contracting_assignments c
                   WHERE c.admin_unit_code = i.unit_code AND c.leader_person_id <> i.person_id ORDER BY c.level DESC LIMIT 1),
                  (SELECT a.person_id FROM responsibility_assignments a WHERE a.role_slot = 'duty_officer'
                   AND a.target_type = 'unit' AND a.target_id = left(i.unit_code, 6) ORDER BY a.id LIMIT 1)),
         i.unit_code, 'repeat_no_answer', left(i.title, 300), 'open', i.detail, $2, $2
       FROM jsonb_to_recordset($1::jsonb) AS i(person_id uuid, unit_code varchar, chain_id uuid, warning_id uuid, title text, detail jsonb)
       ON CONFLICT (person_id) WHERE kind = 'repeat_no_answer' AND state <> 'closed' DO NOTHING
       RETURNING id, person_id AS "personId"`,
      [JSON.stringify(items.map((i) => ({ person_id: i.personId, unit_code: i.unitCode, chain_id: i.chainId, warning_id: i.warningId, title: i.title, detail: i.detail }))), now],
    );
  }

  /**
   * Takes the daily report of `date` for sending: the first to claim it sends it; a claim older than `staleMs` whose
   * send never finished (its sender died) is taken over. Sent is sent: nobody sends it again.
   */
  async claimDailyReport(date: string, regionCode: string, recipients: string, now: Date, staleMs: number): Promise<DailyReportClaim | 'busy'> {
    const [row] = await this.dataSource.query<Array<{ mine: boolean; sent: boolean }>>(
      `INSERT INTO daily_reports (report_date, region_code, recipients, claimed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (report_date) DO UPDATE SET claimed_at = EXCLUDED.claimed_at, recipients = EXCLUDED.recipients
         WHERE daily_reports.sent_at IS NULL AND daily_reports.claimed_at < $4::timestamptz - make_interval(secs => $5::float8 / 1000)
       RETURNING true AS mine, sent_at IS NOT NULL AS sent`,
      [date, regionCode, recipients, now, staleMs],
    );
    if (row?.mine) {
      return 'claimed';
    }
    const [existing] = await this.dataSource.query<Array<{ sent: boolean }>>(`SELECT sent_at IS NOT NULL AS sent FROM daily_reports WHERE report_date = $1`, [date]);
    return existing?.sent ? 'already_sent' : 'busy';
  }

  async dailyReportSent(date: string, subject: string, now: Date): Promise<void> {
    await this.dataSource.query(`UPDATE daily_reports SET sent_at = $2, subject = $3 WHERE report_date = $1`, [date, now, subject]);
  }

  /** A send that failed gives the day back, so the job's retry may claim it at once. */
  async releaseDailyReport(date: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM daily_reports WHERE report_date = $1 AND sent_at IS NULL`, [date]);
  }
}
