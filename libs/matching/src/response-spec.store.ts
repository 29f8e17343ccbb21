import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ValidationError } from '@app/common';
import { ResponseSpecs, validateResponseSpecs } from '@app/config';
import { RESPONSE_SPECS } from './response-specs.provider';

export interface SpecVersionInfo {
  version: number;
  createdAt: Date;
  createdBy: string;
}

interface SpecRow {
  version: number;
  body: ResponseSpecs;
}

/**
 * Response specs in PostgreSQL, one row per version; the newest is active. The file defaults become version 1
 * on first start (when the table is empty). Each dispatch freezes its resolved spec, so edits never touch a
 * running warning.
 */
@Injectable()
export class ResponseSpecStore implements OnApplicationBootstrap {
  private readonly logger = new Logger(ResponseSpecStore.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(RESPONSE_SPECS) private readonly defaults: ResponseSpecs,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      if (await this.ensureLoaded(this.dataSource.manager)) {
        this.logger.log({ msg: 'response specs loaded from config as version 1' });
      }
    } catch (err) {
      // Not fatal at start (e.g. migrations not run yet): the first match loads them.
      this.logger.warn({ msg: 'response specs not loaded at start', error: (err as Error).message });
    }
  }

  /** The active specs; loads the defaults first when the table is empty (that write is the only one). */
  async active(manager: EntityManager = this.dataSource.manager): Promise<ResponseSpecs> {
    const row = await this.newest(manager);
    if (row) {
      return withVersion(row);
    }
    await this.ensureLoaded(manager);
    return withVersion((await this.newest(manager)) as SpecRow);
  }

  /** The active specs without writing anything: the file defaults stand in for an empty table (preview). */
  async peek(manager: EntityManager = this.dataSource.manager): Promise<ResponseSpecs> {
    const row = await this.newest(manager);
    return row ? withVersion(row) : { ...this.defaults, version: 1 };
  }

  async get(version: number): Promise<ResponseSpecs & SpecVersionInfo> {
    const [row] = await this.dataSource.query<Array<SpecRow & { createdAt: Date; createdBy: string }>>(
      `SELECT version, body, created_at AS "createdAt", created_by AS "createdBy" FROM response_specs WHERE version = $1`,
      [version],
    );
    if (!row) {
      throw new ValidationError(`response spec version ${version} does not exist（该版本不存在）`, {
        field: 'version',
      });
    }
    return { ...withVersion(row), createdAt: row.createdAt, createdBy: row.createdBy };
  }

  async versions(): Promise<SpecVersionInfo[]> {
    await this.ensureLoaded(this.dataSource.manager);
    return this.dataSource.query<SpecVersionInfo[]>(
      `SELECT version, created_at AS "createdAt", created_by AS "createdBy" FROM response_specs ORDER BY version DESC`,
    );
  }

  /** Validates and stores a new version; the version number inside the body is ignored. */
  async save(body: unknown, createdBy: string): Promise<SpecVersionInfo> {
    const problems = validateResponseSpecs(body);
    if (problems.length > 0) {
      throw new ValidationError(`response spec refused: ${problems.join('; ')}（预警响应规范校验未通过）`, {
        problems,
      });
    }
    return this.dataSource.transaction(async (tx) => {
      await this.ensureLoaded(tx);
      await tx.query('LOCK TABLE response_specs IN SHARE ROW EXCLUSIVE MODE');
      const [row] = await tx.query<SpecVersionInfo[]>(
        `INSERT INTO response_specs (version, body, created_by)
         SELECT coalesce(max(version), 0) + 1, $1::jsonb, $2 FROM response_specs
         RETURNING version, created_at AS "createdAt", created_by AS "createdBy"`,
        [JSON.stringify({ ...(body as object), version: undefined }), createdBy],
      );
      this.logger.log({ msg: 'response spec saved', version: row.version, by: createdBy });
      return row;
    });
  }

  /** Inserts the file defaults as version 1 when the table is empty; true when it did. */
  private async ensureLoaded(manager: EntityManager): Promise<boolean> {
    const inserted = await manager.query<unknown[]>(
      `INSERT INTO response_specs (version, body, created_by)
       SELECT 1, $1::jsonb, 'config' WHERE NOT EXISTS (SELECT 1 FROM response_specs)
       ON CONFLICT (version) DO NOTHING RETURNING version`,
      [JSON.stringify({ ...this.defaults, version: undefined })],
    );
    return inserted.length > 0;
  }

  private async newest(manager: EntityManager): Promise<SpecRow | undefined> {
    const [row] = await manager.query<SpecRow[]>(
      `SELECT version, body FROM response_specs ORDER BY version DESC LIMIT 1`,
    );
    return row;
  }
}

function withVersion(row: SpecRow): ResponseSpecs {
  return { ...row.body, version: row.version };
}
