import { QueryFailedError } from 'typeorm';
import { isDatabaseDown } from './database-down';

describe('isDatabaseDown', () => {
  it('knows a server shutting down, starting up, refusing or gone', () => {
    expect(
      isDatabaseDown(
        Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      ),
    ).toBe(true);
    expect(isDatabaseDown(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toBe(
      true,
    );
    expect(
      isDatabaseDown(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })),
    ).toBe(true);
    expect(isDatabaseDown(new Error('Connection terminated unexpectedly'))).toBe(true);
    const socketGone = { code: 'ENOENT', syscall: 'connect', message: 'connect ENOENT /run/postgresql/.s.PGSQL.5432' };
    expect(isDatabaseDown(Object.assign(new Error(socketGone.message), socketGone))).toBe(true);
  });

  it('looks inside the error TypeORM wraps', () => {
    const driverError = Object.assign(new Error('terminating connection'), { code: '57P01' });
    expect(isDatabaseDown(new QueryFailedError('UPDATE attempts …', [], driverError))).toBe(true);
  });

  it('does not take an error of the statement for an outage', () => {
    const unique = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    expect(isDatabaseDown(unique)).toBe(false);
    expect(isDatabaseDown(new QueryFailedError('INSERT …', [], unique))).toBe(false);
    expect(isDatabaseDown(new Error('boom'))).toBe(false);
    const missingFile = { code: 'ENOENT', syscall: 'open', message: "ENOENT: no such file or directory, open 'x'" };
    expect(isDatabaseDown(Object.assign(new Error(missingFile.message), missingFile))).toBe(false);
    expect(isDatabaseDown(null)).toBe(false);
  });
});
