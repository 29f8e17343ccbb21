/** Mainland mobile numbers as stored: no +86/86 prefix, digits only. */
export function normalizePhone(raw: string, nationCode = '86'): string {
  const digits = raw.replace(/\D/g, '');
  if (nationCode === '86' && digits.length === 13 && digits.startsWith('86')) {
    return digits.slice(2);
  }
  return digits;
}
