import type { CallerRole } from './roles';

/** Who is calling a route: a machine by its API key, or a person by their session. The same role × region checks apply. */
export interface Caller {
  kind: 'api-key' | 'user';
  /** The key's name, or the person's login name. */
  name: string;
  /** How the audit log names the caller: `api-key:<name>` or `user:<login name>`. */
  actor: string;
  role: CallerRole;
  /** The division code the caller sees and acts on ('500000' = all of Chongqing). */
  regionCode: string;
  /** Set for people: the account id and the session's id. */
  userId?: string;
  sessionId?: string;
}
