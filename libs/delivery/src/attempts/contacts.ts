import type { EntityManager } from 'typeorm';

export interface ContactRef {
  contact_method_id: string;
  person_id: string;
  address: string;
  channel: string;
}

/**
 * Marks a contact unusable (contact_methods.invalid_at / invalid_reason, which the roster fitness report lists).
 * An invalid number is invalid for SMS and voice alike; a blacklist or refusal concerns this contact only.
 */
export async function invalidateContact(m: EntityManager, c: ContactRef, wholeNumber: boolean, reason: string, at: Date): Promise<void> {
  const phone = wholeNumber && (c.channel === 'sms' || c.channel === 'voice');
  await m.query(
    `UPDATE contact_methods SET invalid_at = $4, invalid_reason = $5
     WHERE invalid_at IS NULL AND (id = $1 OR ($6 AND person_id = $2 AND address = $3 AND channel IN ('sms','voice')))`,
    [c.contact_method_id, c.person_id, c.address, at, reason.slice(0, 200), phone],
  );
}

/** Mainland mobile numbers as stored: no +86/86 prefix, digits only. */
export function normalizePhone(raw: string, nationCode = '86'): string {
  const digits = raw.replace(/\D/g, '');
  if (nationCode === '86' && digits.length === 13 && digits.startsWith('86')) {
    return digits.slice(2);
  }
  return digits;
}
