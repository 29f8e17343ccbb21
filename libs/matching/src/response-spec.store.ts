import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ValidationError } from '@app/common';
import { ResponseSpecs, validateResponseSpecs } from '@app/config';
import { ResponseSpecRow, ResponseSpecsRepository, ResponseSpecVersion } from '@app/database';
import { RESPONSE_SPECS } from './response-specs.provider';

export type SpecVersionInfo = ResponseSpecVersion;

type SpecRow = ResponseSpecRow<ResponseSpecs>;

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
    private readonly specs: ResponseSpecsRepository,
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
    const row = await this.specs.newest<ResponseSpecs>(manager);
    if (row) {
      return withVersion(row);
    }
    await this.ensureLoaded(manager);
    return withVersion((await this.specs.newest<ResponseSpecs>(manager)) as SpecRow);
  }

  /** The active specs without writing anything: the file defaults stand in for an empty table (preview). */
  async peek(manager: EntityManager = this.dataSource.manager): Promise<ResponseSpecs> {
    const row = await this.specs.newest<ResponseSpecs>(manager);
    return row ? withVersion(row) : { ...this.defaults, version: 1 };
  }

  async get(version: number): Promise<ResponseSpecs & SpecVersionInfo> {
    const row = await this.specs.find<ResponseSpecs>(this.dataSource.manager, version);
    if (!row) {
      throw new ValidationError(`response spec version ${version} does not exist（该版本不存在）`, {
        field: 'version',
      });
    }
    return { ...withVersion(row), createdAt: row.createdAt, createdBy: row.createdBy };
  }

  async versions(): Promise<SpecVersionInfo[]> {
    await this.ensureLoaded(this.dataSource.manager);
    return this.specs.versions(this.dataSource.manager);
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
      const row = await this.specs.addNext(tx, { ...(body as object), version: undefined }, createdBy);
      this.logger.log({ msg: 'response spec saved', version: row.version, by: createdBy });
      return row;
    });
  }

  /** Inserts the file defaults as version 1 when the table is empty; true when it did. */
  private async ensureLoaded(manager: EntityManager): Promise<boolean> {
    return this.specs.addFirst(manager, { ...this.defaults, version: undefined });
  }
}

function withVersion(row: SpecRow): ResponseSpecs {
  return { ...row.body, version: row.version };
}
