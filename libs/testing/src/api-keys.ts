import { DataSource } from 'typeorm';
import { issueApiKey as issue, Role } from '@app/database';

/** Issues (or re-issues) an API key for tests; the key is `test-<name>-key`, issued as every other key is. */
export function issueApiKey(ds: DataSource, name: string, role: string, region: string): Promise<string> {
  return issue(ds, name, role as Role, region, `test-${name}-key`);
}
