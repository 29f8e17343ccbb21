import { InvalidEnvironmentError, loadEnv } from './load-env';

describe('loadEnv', () => {
  it('fills defaults and parses the signing keys, first key signing', () => {
    const config = loadEnv({
      ACK_SIGNING_KEYS: 'k2:abcdefghijklmnopqrstuvwxyz0123456789,k1:zyxwvutsrqponmlkjihgfedcba9876543210',
    });
    expect(config.http.port).toBe(3000);
    expect(config.database.poolMax).toBe(18);
    expect(config.ack.currentKid).toBe('k2');
    expect(Object.keys(config.ack.keys)).toEqual(['k2', 'k1']);
  });

  it('names every bad variable and never echoes its value', () => {
    let error: unknown;
    try {
      loadEnv({ PORT: 'seventy', DATABASE_URL: 'mysql://x', SWEEP_CRON: 'every minute', ACK_SIGNING_KEYS: 'k:short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidEnvironmentError);
    const err = error as InvalidEnvironmentError;
    expect(err.variables.sort()).toEqual(['ACK_SIGNING_KEYS', 'DATABASE_URL', 'PORT', 'SWEEP_CRON']);
    expect(err.message).not.toContain('short');
    expect(err.message).not.toContain('mysql');
  });

  it('takes a DATABASE_URL over TCP or over a Unix-domain socket, and refuses one without a database', () => {
    for (const url of [
      'postgres://postgres@127.0.0.1:5432/jiaoying',
      'postgresql://app:secret@db.internal/jiaoying?sslmode=require',
      'postgres://postgres@%2Fvar%2Frun%2Fpostgresql/jiaoying',
      'postgres://postgres@/jiaoying?host=/var/run/postgresql',
    ]) {
      expect(loadEnv({ DATABASE_URL: url }).database.url).toBe(url);
    }
    for (const url of ['mysql://x/jiaoying', 'postgres://127.0.0.1:5432', 'postgres://127.0.0.1:5432/', 'jiaoying']) {
      expect(() => loadEnv({ DATABASE_URL: url })).toThrow('DATABASE_URL');
    }
  });

  it('reads TRIAGE_HOLD per source, holds yellow and blue sensor alarms by default, and refuses a misspelt rule', () => {
    expect(loadEnv({}).ingest.triageHold).toEqual({ sensor: ['blue', 'yellow'] });
    expect(loadEnv({ TRIAGE_HOLD: 'feed:blue,sensor:blue|yellow|orange' }).ingest.triageHold).toEqual({
      feed: ['blue'],
      sensor: ['blue', 'yellow', 'orange'],
    });
    expect(loadEnv({ TRIAGE_HOLD: 'none' }).ingest.triageHold).toEqual({});
    expect(() => loadEnv({ TRIAGE_HOLD: 'sensors:yellow' })).toThrow('TRIAGE_HOLD');
    expect(() => loadEnv({ TRIAGE_HOLD: 'sensor:amber' })).toThrow('TRIAGE_HOLD');
  });

  it('names DATABASE_POOL_MAX when it is below 2, and takes a larger pool', () => {
    expect(() => loadEnv({ DATABASE_POOL_MAX: '1' })).toThrow('DATABASE_POOL_MAX');
    expect(loadEnv({ DATABASE_POOL_MAX: '40' }).database.poolMax).toBe(40);
  });

  it('checks fifty calls to a transaction unless told, and names DEADLINE_CHECK_CHUNK when it is out of range', () => {
    expect(loadEnv({}).timers.checkChunk).toBe(50);
    expect(loadEnv({ DEADLINE_CHECK_CHUNK: '10' }).timers.checkChunk).toBe(10);
    expect(() => loadEnv({ DEADLINE_CHECK_CHUNK: '0' })).toThrow('DEADLINE_CHECK_CHUNK');
    expect(() => loadEnv({ DEADLINE_CHECK_CHUNK: '201' })).toThrow('DEADLINE_CHECK_CHUNK');
  });

  it('ignores empty values so an unset override keeps the default', () => {
    expect(loadEnv({ PORT: '' }).http.port).toBe(3000);
  });
});
