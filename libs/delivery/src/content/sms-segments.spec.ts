import { smsLength } from './sms-segments';

describe('smsLength', () => {
  it('counts Chinese text as UCS-2: 70 in one segment, 67 per part beyond', () => {
    expect(smsLength('预'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(smsLength('预'.repeat(71)).segments).toBe(2);
    expect(smsLength('预'.repeat(134)).segments).toBe(2);
    expect(smsLength('预'.repeat(135)).segments).toBe(3);
  });

  it('counts pure ASCII as GSM-7: 160 in one, 153 per part, extension characters twice', () => {
    expect(smsLength('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsLength('a'.repeat(161)).segments).toBe(2);
    expect(smsLength('a'.repeat(306)).segments).toBe(2);
    expect(smsLength('{}').units).toBe(4);
  });

  it('turns a whole message UCS-2 for one character outside GSM-7, counting emoji as two', () => {
    expect(smsLength('Reply 1 to confirm【叫应】').encoding).toBe('UCS-2');
    expect(smsLength('⚠️').units).toBe(2);
    expect(smsLength('😀').units).toBe(2);
  });
});
