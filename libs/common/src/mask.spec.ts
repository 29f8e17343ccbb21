import { JsonLogger } from './json-logger';
import { maskPhone, maskSensitive } from './mask';

describe('masking', () => {
  it('keeps only the last four digits of a phone number', () => {
    expect(maskPhone('13912345678')).toBe('*******5678');
    expect(maskPhone('+86 139-1234-5678')).toBe('*********5678');
  });

  it('masks mobiles, emails and signed tokens inside free text', () => {
    const text =
      'sent to 13912345678 and +8617012345678, mail zhang.san@demo.jiaoying.local, link /ack/eyJzdWIiOiJ0YXNrIn0x.QWERTYUIOPASDFGHJKLZXCVBNMqwertyuiopasdfghj';
    const masked = maskSensitive(text);
    expect(masked).not.toMatch(/1391234|1701234|zhang\.san|QWERTYUIOP/);
    expect(masked).toContain('*******5678');
    expect(masked).toContain('z***@demo.jiaoying.local');
    expect(masked).toContain('[token]');
  });

  it('leaves ids and division codes alone', () => {
    expect(maskSensitive('warning 500230107203 task 3f2a')).toBe('warning 500230107203 task 3f2a');
  });
});

describe('JsonLogger', () => {
  it('writes one JSON line with context and ids, masking what it must', () => {
    const lines: string[] = [];
    const logger = new JsonLogger('test', ['log', 'error'], (l) => lines.push(l));
    logger.log({ msg: 'sms sent to 13912345678', callTaskId: 't-1' }, 'Dispatch');
    logger.debug('not written');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(entry).toMatchObject({
      level: 'log',
      app: 'test',
      context: 'Dispatch',
      callTaskId: 't-1',
      msg: 'sms sent to *******5678',
    });
  });
});
