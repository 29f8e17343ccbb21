import { DataSource } from 'typeorm';
import { hashPassword } from '@app/accounts';

/** Inserts an account for tests (hashed like real ones) and answers its id. */
export async function insertUser(
  ds: DataSource,
  user: { username: string; password: string; role: string; regionCode: string; displayName?: string },
): Promise<string> {
  const [row] = await ds.query<Array<{ id: string }>>(
    `INSERT INTO users (username, display_name, password_hash, role, region_code) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [user.username, user.displayName ?? user.username, await hashPassword(user.password), user.role, user.regionCode],
  );
  return row.id;
}
