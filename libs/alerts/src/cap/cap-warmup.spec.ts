import { parseCap } from './parse-cap';
import { WARMUP_CAP } from './cap-warmup';

describe('CAP parser warm-up message', () => {
  it('passes every check, the XSD included, so the warm-up really starts the xmllint worker', async () => {
    const alert = await parseCap(Buffer.from(WARMUP_CAP), { now: new Date('2026-07-01T00:00:00Z') });
    expect(alert).toMatchObject({ status: 'test', msgType: 'alert', identifier: 'jiaoying-warmup' });
  });
});
