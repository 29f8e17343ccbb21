import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundError } from '@app/common';
import { AckLinks } from '@app/response';

/** GET /a/:code → the call's signed ack link (made now, so it carries the warning's expiry). */
@Injectable()
export class ShortLinks {
  constructor(
    private readonly dataSource: DataSource,
    private readonly links: AckLinks,
  ) {}

  async target(code: string): Promise<string> {
    if (!/^[A-Za-z0-9_-]{10}$/.test(code)) {
      throw new NotFoundError('链接无效，请使用短信中的完整链接。(unknown short link)');
    }
    const [row] = await this.dataSource.query<Array<{ call_task_id: string; person_id: string; expires_at: Date | null }>>(
      `SELECT s.call_task_id, s.person_id, w.expires_at FROM short_links s JOIN call_tasks t ON t.id = s.call_task_id
       JOIN warnings w ON w.id = t.warning_id WHERE s.code = $1`,
      [code],
    );
    if (!row) {
      throw new NotFoundError('链接无效，请使用短信中的完整链接。(unknown short link)');
    }
    return this.links.url(this.links.token(row.call_task_id, row.person_id, row.expires_at));
  }
}
