import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Who writes which table: every INSERT / UPDATE / DELETE on a table (and every TypeORM save / update / insert /
 * delete on its entity) stands in that table's owner file, so a reader finds all the ways a row can change in one
 * place. Scans the source of apps/ and libs/: not migrations (they shape tables, they do not own rows), not specs,
 * and not libs/testing (the test harness sets up and tampers with rows on purpose).
 */
const ROOT = join(__dirname, '..', '..', '..');
const REPOS = 'libs/database/src/repositories';

/** table → the files allowed to write it (the first is the owner; any other says why next to it). */
const OWNERS: Record<string, string[]> = {
  // The answer to a call: written with its call's new state in one statement (writeFirstAnswers).
  acknowledgements: [`${REPOS}/first-answers.sql.ts`],
  admin_units: [`${REPOS}/geography.repository.ts`],
  api_keys: [`${REPOS}/api-keys.ts`],
  attempts: [`${REPOS}/attempts.repository.ts`],
  broadcast_devices: [`${REPOS}/geography.repository.ts`],
  broadcast_jobs: [`${REPOS}/public-notices.repository.ts`],
  call_progress: [`${REPOS}/call-progress.repository.ts`],
  call_tasks: [`${REPOS}/call-tasks.repository.ts`],
  contact_methods: [`${REPOS}/contact-methods.repository.ts`],
  contracting_assignments: [`${REPOS}/roster.repository.ts`],
  daily_reports: [`${REPOS}/daily-reports.repository.ts`],
  dispatches: [`${REPOS}/dispatches.repository.ts`],
  match_chunks: [`${REPOS}/dispatches.repository.ts`],
  escalation_answers: [`${REPOS}/escalations.repository.ts`],
  escalation_notice_items: [`${REPOS}/escalations.repository.ts`],
  escalation_notices: [`${REPOS}/escalations.repository.ts`],
  escalations: [`${REPOS}/escalations.repository.ts`],
  evacuation_reports: [`${REPOS}/evacuations.repository.ts`],
  evacuations: [`${REPOS}/evacuations.repository.ts`],
  event_seal_state: [`${REPOS}/event-chain.ts`],
  event_seals: [`${REPOS}/event-chain.ts`],
  events: [`${REPOS}/event-log.ts`],
  feed_entries: [`${REPOS}/feeds.repository.ts`],
  feed_sources: [`${REPOS}/feeds.repository.ts`],
  fire_danger_ratings: [`${REPOS}/readings.repository.ts`],
  issue_items: [`${REPOS}/issue-items.repository.ts`],
  login_failures: [`${REPOS}/login-failures.repository.ts`],
  notices: [`${REPOS}/notices.repository.ts`],
  order_targets: [`${REPOS}/orders.repository.ts`],
  orders: [`${REPOS}/orders.repository.ts`],
  pending_receipts: [`${REPOS}/pending-receipts.repository.ts`],
  performance_records: [`${REPOS}/performance-records.repository.ts`],
  persons: [`${REPOS}/roster.repository.ts`],
  protected_objects: [`${REPOS}/geography.repository.ts`],
  public_notices: [`${REPOS}/public-notices.repository.ts`],
  public_sms_batches: [`${REPOS}/public-notices.repository.ts`],
  request_audit: [`${REPOS}/request-audit.repository.ts`],
  resident_confirmations: [`${REPOS}/resident-confirmations.repository.ts`],
  resident_phones: [`${REPOS}/roster.repository.ts`],
  response_specs: [`${REPOS}/response-specs.repository.ts`],
  responsibility_assignments: [`${REPOS}/roster.repository.ts`],
  risk_zones: [`${REPOS}/geography.repository.ts`],
  sensor_alarms: [`${REPOS}/sensor-alarms.repository.ts`],
  sessions: [`${REPOS}/sessions.repository.ts`],
  shelters: [`${REPOS}/geography.repository.ts`],
  short_links: [`${REPOS}/short-links.repository.ts`],
  source_alarms: [`${REPOS}/feeds.repository.ts`],
  special_residents: [`${REPOS}/roster.repository.ts`],
  station_readings: [`${REPOS}/readings.repository.ts`],
  stations: [`${REPOS}/geography.repository.ts`],
  users: [`${REPOS}/users.repository.ts`],
  warning_drafts: [`${REPOS}/warning-drafts.repository.ts`],
  warnings: [`${REPOS}/warnings.repository.ts`],
};

const posix = (path: string) => path.split(sep).join('/');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    const rel = posix(relative(ROOT, path));
    if (entry.isDirectory()) {
      return entry.name === 'node_modules' || entry.name === 'migrations' || rel === 'libs/testing'
        ? []
        : sourceFiles(path);
    }
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Every table the migrations create, and the table of every entity class. */
function schema(): { tables: Set<string>; entityTables: Map<string, string> } {
  const tables = new Set<string>();
  const migrations = join(ROOT, 'libs/database/src/migrations');
  for (const file of readdirSync(migrations)) {
    for (const m of readFileSync(join(migrations, file), 'utf8').matchAll(
      /CREATE TABLE (?:IF NOT EXISTS )?"?(\w+)"?/gi,
    )) {
      tables.add(m[1].toLowerCase());
    }
  }
  const entityTables = new Map<string, string>();
  const entities = join(ROOT, 'libs/database/src/entities');
  for (const file of readdirSync(entities)) {
    for (const m of readFileSync(join(entities, file), 'utf8').matchAll(
      /@Entity\('(\w+)'\)[\s\S]*?export class (\w+)/g,
    )) {
      entityTables.set(m[2], m[1]);
    }
  }
  return { tables, entityTables };
}

interface Write {
  table: string;
  file: string;
  line: number;
}

export function writesIn(text: string, file: string, tables: Set<string>, entityTables: Map<string, string>): Write[] {
  const found: Write[] = [];
  const add = (table: string, index: number) =>
    found.push({ table, file, line: text.slice(0, index).split('\n').length });
  const sql = [
    /\bINSERT\s+INTO\s+"?(\w+)/gi,
    /\bUPDATE\s+"?(\w+)"?(?:\s+(?:AS\s+)?\w+)?\s+SET\b/gi,
    /\bDELETE\s+FROM\s+"?(\w+)/gi,
    /\bTRUNCATE\s+(?:TABLE\s+)?"?(\w+)/gi,
    // The demo seed's bulk insert helper: insertMany<Row>(manager, 'table', …).
    /\binsertMany<\w+>\(\s*\w+,\s*'(\w+)'/g,
  ];
  for (const pattern of sql) {
    for (const m of text.matchAll(pattern)) {
      if (tables.has(m[1].toLowerCase())) {
        add(m[1].toLowerCase(), m.index ?? 0);
      }
    }
  }
  const orm = [
    /\.(?:save|insert|update|upsert|delete|remove|softDelete)\(\s*(\w+Entity)\b/g,
    /getRepository\((\w+Entity)\)\s*\.(?:save|insert|update|upsert|delete|remove|softDelete)\(/g,
  ];
  for (const pattern of orm) {
    for (const m of text.matchAll(pattern)) {
      const table = entityTables.get(m[1]);
      if (table) {
        add(table, m.index ?? 0);
      }
    }
  }
  return found;
}

describe('who writes which table', () => {
  const { tables, entityTables } = schema();
  const writes = ['apps', 'libs'].flatMap((dir) =>
    sourceFiles(join(ROOT, dir)).flatMap((path) =>
      writesIn(readFileSync(path, 'utf8'), posix(relative(ROOT, path)), tables, entityTables),
    ),
  );

  it('finds the writes it is meant to find', () => {
    const probe = [
      "await tx.query(`UPDATE call_tasks t SET state = 'sent'`);",
      'INSERT INTO notices (id) VALUES ($1)',
      'DELETE FROM sessions WHERE id = $1',
      "TRUNCATE orders CASCADE; await insertMany<Row>(m, 'persons', [",
      'await tx.update(WarningEntity, { id }, { state })',
      'await tx.getRepository(WarningEntity).save(row)',
      'an UPDATE that says so, INSERT INTO the log',
    ].join('\n');
    const found = writesIn(probe, 'probe.ts', tables, entityTables).map((w) => `${w.table}:${w.line}`);
    expect(found.sort()).toEqual(
      ['call_tasks:1', 'notices:2', 'sessions:3', 'orders:4', 'persons:4', 'warnings:5', 'warnings:6'].sort(),
    );
  });

  it('writes each owned table only from its owner', () => {
    const strays = writes
      .filter((w) => OWNERS[w.table] && !OWNERS[w.table].includes(w.file))
      .map((w) => `${w.table} written in ${w.file}:${w.line}`);
    expect(strays).toEqual([]);
  });

  it('knows an owner for every table written, and every owner file writes', () => {
    const unowned = [...new Set(writes.map((w) => w.table))].filter((t) => !OWNERS[t]);
    expect(unowned).toEqual([]);
    expect(
      Object.values(OWNERS)
        .flat()
        .filter((file) => !writes.some((w) => w.file === file)),
    ).toEqual([]);
  });
});
