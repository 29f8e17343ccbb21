import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type DailyReportClaim = 'claimed' | 'already_sent';

/** The only writer of `daily_reports`: the daily duty report's once-per-day record, claimed, sent or given back. */
@Injectable()
export class DailyReportsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes the daily report of `date` for sending: the first to claim it sends it; a claim older than `staleMs` whose
   * send never finished (its sender died) is taken over. Sent is sent: nobody sends it again.
   */
  async claim(
    date: string,
    regionCode: string,
    recipients: string,
    now: Date,
    staleMs: number,
  ): Promise<DailyReportClaim | 'busy'> {
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
    const [existing] = await this.dataSource.query<Array<{ sent: boolean }>>(
      `SELECT sent_at IS NOT NULL AS sent FROM daily_reports WHERE report_date = $1`,
      [date],
    );
    return existing?.sent ? 'already_sent' : 'busy';
  }

  async markSent(date: string, subject: string, now: Date): Promise<void> {
    await this.dataSource.query(`UPDATE daily_reports SET sent_at = $2, subject = $3 WHERE report_date = $1`, [
      date,
      now,
      subject,
    ]);
  }

  /** A send that failed gives the day back, so the job's retry may claim it at once. */
  async release(date: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM daily_reports WHERE report_date = $1 AND sent_at IS NULL`, [date]);
  }
}
