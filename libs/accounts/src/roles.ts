/** Roles of people who sign in. API keys keep their own roles (ingest, duty_officer, commander, admin). */
export const USER_ROLES = ['duty_officer', 'shift_leader', 'commander', 'roster_admin', 'admin', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Every role a caller may have, person or machine. Routes name the roles they accept with @Roles. */
export type CallerRole = UserRole | 'ingest';

const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * Whether a role may call a route that accepts `allowed`:
 * - admin may call every route; every role may call the routes that name it;
 * - a shift leader (带班领导) does what duty officers and commanders do;
 * - a viewer reads (GET) whatever duty officers, commanders or roster administrators read, and changes nothing.
 */
export function mayCall(role: CallerRole, allowed: readonly CallerRole[], method: string): boolean {
  if (role === 'admin' || allowed.includes(role)) {
    return true;
  }
  if (role === 'shift_leader') {
    return allowed.includes('duty_officer') || allowed.includes('commander');
  }
  if (role === 'viewer') {
    return (
      READ_METHODS.has(method.toUpperCase()) &&
      allowed.some((r) => r === 'duty_officer' || r === 'commander' || r === 'roster_admin')
    );
  }
  return false;
}
