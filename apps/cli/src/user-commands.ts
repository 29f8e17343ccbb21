import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AccountActor, USER_ROLES, UserRole, UsersService } from '@app/accounts';
import { SystemClock } from '@app/common';
import { EventLog, LoginFailuresRepository, SessionsRepository, UsersRepository } from '@app/database';
import { splitOptions } from './cap-commands';

export const USER_USAGE = `  user add <login> <role> <region> [--name <显示名>] [--password <pw>]
                                   create an account (role: ${USER_ROLES.join('|')}); without --password one is made up and printed
  user disable <login>             disable an account and end its sessions
  user enable <login>              enable it again
  user reset <login> [--password <pw>] [--clear-totp yes]
                                   set a new password (made up and printed when left out); ends its sessions`;

// The command line acts as an administrator of all of Chongqing; its actions are audited as `cli`.
const CLI: AccountActor = { actor: 'cli', regionCode: '500000', ip: null };

function usersOn(ds: DataSource): UsersService {
  const clock = new SystemClock();
  return new UsersService(
    ds,
    new UsersRepository(),
    new SessionsRepository(),
    new LoginFailuresRepository(),
    new EventLog(ds, clock),
    clock,
  );
}

/** `jiaoying user …`: answers the lines to print, or null when the arguments do not fit (usage is printed). */
export async function userCommand(ds: DataSource, args: string[]): Promise<string[] | null> {
  const { positional, options } = splitOptions(args);
  const [verb, login, role, region] = positional;
  if (!login) {
    return null;
  }
  const users = usersOn(ds);
  if (verb === 'add') {
    if (!(USER_ROLES as readonly string[]).includes(role) || !region) {
      return null;
    }
    const password = options.password || randomBytes(12).toString('base64url');
    const user = await users.create(
      { username: login, displayName: options.name || login, password, role: role as UserRole, regionCode: region },
      CLI,
    );
    return [
      `account ${user.username} created: ${user.role} of ${user.regionName} (${user.regionCode})`,
      ...(options.password ? [] : [`password: ${password}`]),
    ];
  }
  const id = await users.findIdByUsername(login);
  if (!id) {
    throw new Error(`没有账号 ${login} (no such account)`);
  }
  switch (verb) {
    case 'disable':
    case 'enable': {
      const user = await users.update(id, { disabled: verb === 'disable' }, CLI);
      return [`account ${user.username} ${user.disabled ? 'disabled; its sessions have ended' : 'enabled'}`];
    }
    case 'reset': {
      const result = await users.resetPassword(
        id,
        { password: options.password || undefined, clearTotp: options['clear-totp'] === 'yes' },
        CLI,
      );
      return [
        `password of ${result.user.username} reset; its sessions have ended`,
        ...(result.password ? [`password: ${result.password}`] : []),
      ];
    }
    default:
      return null;
  }
}
