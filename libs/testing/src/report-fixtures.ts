import { DataSource } from 'typeorm';

/** A square outline around (lon, lat), half `r` degrees wide, as a MultiPolygon in WKT. */
const square = (lon: number, lat: number, r: number) =>
  `SRID=4326;MULTIPOLYGON(((${lon - r} ${lat - r},${lon + r} ${lat - r},${lon + r} ${lat + r},${lon - r} ${lat + r},${lon - r} ${lat - r})))`;

/** A division (区县/乡镇/村) with a square outline, for tests that build their own small region. */
export async function insertUnit(
  ds: DataSource,
  u: {
    code: string;
    name: string;
    level: 'county' | 'town' | 'village';
    parentCode?: string | null;
    lon: number;
    lat: number;
    r?: number;
  },
): Promise<void> {
  await ds.query(
    `INSERT INTO admin_units (code, name, level, parent_code, geom) VALUES ($1, $2, $3, $4, ST_GeomFromEWKT($5))
     ON CONFLICT (code) DO NOTHING`,
    [u.code, u.name, u.level, u.parentCode ?? null, square(u.lon, u.lat, u.r ?? 0.05)],
  );
}

export async function insertPerson(
  ds: DataSource,
  p: { name: string; unitCode: string; title?: string },
): Promise<string> {
  const [row] = await ds.query<Array<{ id: string }>>(
    `INSERT INTO persons (name, title, admin_unit_code) VALUES ($1, $2, $3) RETURNING id`,
    [p.name, p.title ?? null, p.unitCode],
  );
  return row.id;
}

/** One call of a warning as the reports read it: who, why, and when (if ever) they answered. */
export interface CallFixture {
  personId: string;
  /** Seconds after the warning was sent; null: never answered */
  answeredAfterS: number | null;
  sector?: string;
  roleSlot?: string;
  /** Default: acknowledged when answered, else escalated */
  state?: string;
}

/**
 * A warning already matched and past its deadlines, with its dispatch and call tasks (10 minutes to answer), and an
 * acknowledgement per answered call. Answers its id.
 */
export async function insertWarningWithCalls(
  ds: DataSource,
  w: {
    headline: string;
    sent: Date;
    unitCode: string;
    level?: number;
    hazard?: string;
    drill?: boolean;
    calls: CallFixture[];
  },
): Promise<string> {
  const level = w.level ?? 1;
  const [row] = await ds.query<Array<{ id: string }>>(
    `INSERT INTO warnings (chain_id, source, sender, identifier, sent, msg_type, status, hazard_type, event, level, colour, headline,
                           area_codes, state, is_drill, created_at)
     VALUES (gen_random_uuid(), 'test', 'test', gen_random_uuid()::text, $1, 'alert', 'actual', $2, $3, $4::smallint,
             (ARRAY['red','orange','yellow','blue'])[$4::int], $3, ARRAY[$5]::varchar[], 'tracking', $6, $1)
     RETURNING id`,
    [w.sent, w.hazard ?? 'rainstorm', w.headline, level, w.unitCode, w.drill ?? false],
  );
  const [dispatch] = await ds.query<Array<{ id: string }>>(
    `INSERT INTO dispatches (warning_id, spec, recipient_count, created_at) VALUES ($1, '{}', $2, $3) RETURNING id`,
    [row.id, w.calls.length, w.sent],
  );
  for (const c of w.calls) {
    const answeredAt = c.answeredAfterS === null ? null : new Date(w.sent.getTime() + c.answeredAfterS * 1000);
    const reasons = [
      {
        kind: 'assignment',
        roleSlot: c.roleSlot ?? 'admin',
        sector: c.sector ?? 'flood',
        targetType: 'unit',
        targetId: w.unitCode,
      },
    ];
    const [task] = await ds.query<Array<{ id: string }>>(
      `INSERT INTO call_tasks (warning_id, dispatch_id, person_id, reasons, state, requires_ack, deadline_at, acknowledged_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, true, $6, $7, $8, $8) RETURNING id`,
      [
        row.id,
        dispatch.id,
        c.personId,
        JSON.stringify(reasons),
        c.state ?? (answeredAt ? 'acknowledged' : 'escalated'),
        new Date(w.sent.getTime() + 600_000),
        answeredAt,
        w.sent,
      ],
    );
    if (answeredAt) {
      await ds.query(
        `INSERT INTO acknowledgements (call_task_id, person_id, method, response, late, acknowledged_at) VALUES ($1, $2, 'link', 'received', $3, $4)`,
        [task.id, c.personId, (c.answeredAfterS ?? 0) > 600, answeredAt],
      );
    }
  }
  return row.id;
}

/** An 应急广播 loudspeaker standing at (lon, lat). */
export async function insertLoudspeaker(
  ds: DataSource,
  d: { code: string; name: string; unitCode: string; lon: number; lat: number },
): Promise<void> {
  await ds.query(
    `INSERT INTO broadcast_devices (code, name, admin_unit_code, geom) VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326))`,
    [d.code, d.name, d.unitCode, d.lon, d.lat],
  );
}

/** A shelter (避险安置点) at (lon, lat). */
export async function insertShelter(
  ds: DataSource,
  s: { code: string; name: string; unitCode: string; capacity: number; lon: number; lat: number },
): Promise<void> {
  await ds.query(
    `INSERT INTO shelters (code, name, admin_unit_code, capacity, geom) VALUES ($1, $2, $3, $4, ST_SetSRID(ST_MakePoint($5, $6), 4326))`,
    [s.code, s.name, s.unitCode, s.capacity, s.lon, s.lat],
  );
}
