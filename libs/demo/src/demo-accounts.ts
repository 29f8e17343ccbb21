import { createHmac } from 'node:crypto';
import { DataSource } from 'typeorm';
import { hashPassword } from '@app/accounts';
import { issueApiKey, Role, SqlRunner, UsersRepository } from '@app/database';

/** Demo sign-ins for the console. The passwords are public (printed by `jiaoying up`): demo only, never in production. */
export const DEMO_ACCOUNTS = [
  {
    username: 'fd-duty',
    password: 'duty-demo-fengdu',
    role: 'duty_officer',
    regionCode: '500230',
    displayName: '丰都县值班员（演示）',
    label: '丰都 duty officer 值班员',
  },
  {
    username: 'fd-duty2',
    password: 'second-demo-fengdu',
    role: 'duty_officer',
    regionCode: '500230',
    displayName: '丰都县第二值班员（演示）',
    label: 'second duty officer (approves)',
  },
  {
    username: 'sz-duty',
    password: 'town-demo-shizhi',
    role: 'duty_officer',
    regionCode: '500230107',
    displayName: '十直镇值班员（演示）',
    label: '十直镇 town officer',
  },
  {
    username: 'fd-commander',
    password: 'commander-demo-fengdu',
    role: 'commander',
    regionCode: '500230',
    displayName: '丰都县指挥长（演示）',
    label: '丰都 commander 指挥长',
  },
  {
    username: 'cq-admin',
    password: 'admin-demo-chongqing',
    role: 'admin',
    regionCode: '500000',
    displayName: '重庆市管理员（演示）',
    label: 'city administrator',
  },
] as const;

/**
 * Creates the demo accounts that are missing; existing ones are left exactly as they are (a changed password,
 * role or disabled flag stays, and no session ends), so starting the demo again signs nobody out.
 */
export async function seedDemoAccounts(ds: DataSource): Promise<number> {
  const users = new UsersRepository();
  let created = 0;
  for (const account of DEMO_ACCOUNTS) {
    if (await users.usernameTaken(ds.manager, account.username)) {
      continue;
    }
    const added = await users.addIfMissing(ds.manager, {
      username: account.username,
      displayName: account.displayName,
      passwordHash: await hashPassword(account.password),
      role: account.role,
      regionCode: account.regionCode,
    });
    created += added ? 1 : 0;
  }
  return created;
}

/** The demo's API keys, printed by `jiaoying up`. */
export const DEMO_API_KEYS = [
  { use: 'ingest', name: 'demo-ingest', role: 'ingest', regionCode: '500000' },
  { use: 'dutyOfficer', name: 'demo-duty-officer', role: 'duty_officer', regionCode: '500000' },
  { use: 'commander', name: 'demo-commander-fengdu', role: 'commander', regionCode: '500230' },
] as const satisfies ReadonlyArray<{ use: string; name: string; role: Role; regionCode: string }>;

/**
 * A demo API key, derived from the signing secret so every start prints the same key and stores the same hash:
 * starting the demo again revokes nothing, and a demo key revoked on purpose stays revoked.
 */
export function issueDemoApiKey(
  db: SqlRunner,
  secret: string,
  name: string,
  role: Role,
  regionCode: string,
): Promise<string> {
  const key = `jy_demo_${createHmac('sha256', secret).update(`demo-api-key:${name}`).digest('base64url').slice(0, 32)}`;
  return issueApiKey(db, name, role, regionCode, key, true);
}
