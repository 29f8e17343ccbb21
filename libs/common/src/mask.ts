// Redaction for logs: mainland mobile numbers keep their last four digits, ack tokens and emails are hidden.
const MOBILE = /(?<!\d)(\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)/g;
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
const TOKEN = /\b(ack|tok)_[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\b/g;
const SIGNED = /\b[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{40,}\b/g;

export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length <= 4 ? '****' : `${'*'.repeat(Math.max(0, digits.length - 4))}${digits.slice(-4)}`;
}

/** Masks phone numbers, emails and signed tokens inside any free text. */
export function maskSensitive(text: string): string {
  return text
    .replace(SIGNED, '[token]')
    .replace(TOKEN, '[token]')
    .replace(MOBILE, (_m, _cc: string | undefined, _a: string, _b: string, last: string) => `*******${last}`)
    .replace(EMAIL, (_m, first: string, domain: string) => `${first}***@${domain}`);
}
