import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundError } from '@app/common';
import { AckLinks } from '@app/calls';

/** GET /a/:code → the call's signed ack link (made now, so it carries the warning's expiry), or a notice's own link. */
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
    const [row] = await this.dataSource.query<
      Array<{ call_task_id: string | null; person_id: string; url: string | null; expires_at: Date | null }>
    >(
      `SELECT s.call_task_id, s.person_id, s.url, w.expires_at FROM short_links s LEFT JOIN call_tasks t ON t.id = s.call_task_id
       LEFT JOIN warnings w ON w.id = t.warning_id WHERE s.code = $1`,
      [code],
    );
    if (!row) {
      throw new NotFoundError('链接无效，请使用短信中的完整链接。(unknown short link)');
    }
    return row.url ?? this.links.url(this.links.token(row.call_task_id as string, row.person_id, row.expires_at));
  }
}
