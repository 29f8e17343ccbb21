import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@app/database';

/** A DataSource on the test database (migrations were applied by global setup). */
export async function openTestDataSource(): Promise<DataSource> {
  const ds = new DataSource(dataSourceOptions(process.env.DATABASE_URL as string));
  return ds.initialize();
}

const TABLES = [
  'evacuation_reports',
  'evacuations',
  'notices',
  'order_targets',
  'orders',
  'shelters',
  'resident_confirmations',
  'issue_items',
  'performance_records',
  'broadcast_jobs',
  'public_sms_batches',
  'public_notices',
  'broadcast_devices',
  'resident_phones',
  'pending_receipts',
  'webhook_endpoints',
  'short_links',
  'event_seals',
  'events',
  'escalations',
  'call_progress',
  'acknowledgements',
  'attempts',
  'call_tasks',
  'match_chunks',
  'dispatches',
  'warnings',
  'special_residents',
  'contracting_assignments',
  'responsibility_assignments',
  'contact_methods',
  'persons',
  'protected_objects',
  'risk_zones',
  'admin_units',
  'api_keys',
  'response_specs',
  'warning_drafts',
  'feed_entries',
  'feed_sources',
  'source_alarms',
  'station_readings',
  'stations',
  'fire_danger_ratings',
  'sensor_alarms',
  'login_failures',
  'sessions',
  'users',
  'request_audit',
  'daily_reports',
];

/** Empties every table (the append-only triggers do not fire on TRUNCATE) and starts the event chain afresh. */
export async function resetDatabase(ds: DataSource): Promise<void> {
  await ds.query(`TRUNCATE ${TABLES.join(', ')} RESTART IDENTITY CASCADE`);
  await ds.query(`UPDATE event_seal_state SET below = '0', last_seq = 0, last_chain = repeat('0', 64)`);
}
