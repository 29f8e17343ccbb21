/** The original bytes of a message, kept for audit: as text when UTF-8, else base64 with a prefix saying so. */
export function rawCapText(body: Buffer): string {
  const text = body.toString('utf8');
  return Buffer.from(text, 'utf8').equals(body) ? text : `base64:${body.toString('base64')}`;
}
