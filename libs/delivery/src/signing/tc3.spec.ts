import { verifyTc3 } from '@app/simulators';
import { tc3Headers } from './tc3';

const req = {
  host: 'sms.tencentcloudapi.com',
  service: 'sms',
  action: 'SendSms',
  version: '2021-01-11',
  region: 'ap-guangzhou',
  payload: JSON.stringify({ PhoneNumberSet: ['+8617000000001'], SignName: '叫应预警', TemplateParamSet: ['十直镇'] }),
  timestamp: 1_763_800_000,
};
const lower = (h: Record<string, string>) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
const secrets = { AKIDtest: 'secret-key-for-tests' };
const at = req.timestamp * 1000;

describe('TC3-HMAC-SHA256 (our signer against the simulator verifier, written separately)', () => {
  it('is accepted as signed', () => {
    const headers = lower(tc3Headers(req, 'AKIDtest', 'secret-key-for-tests'));
    expect(headers.authorization).toMatch(
      /^TC3-HMAC-SHA256 Credential=AKIDtest\/2025-11-22\/sms\/tc3_request, SignedHeaders=content-type;host, Signature=[0-9a-f]{64}$/,
    );
    expect(verifyTc3(headers, req.payload, secrets, at)).toEqual({ ok: true, service: 'sms' });
  });

  it('is refused when the body, the key, the host or the time do not match', () => {
    const headers = lower(tc3Headers(req, 'AKIDtest', 'secret-key-for-tests'));
    expect(verifyTc3(headers, req.payload.replace('十直镇', '十直乡'), secrets, at)).toMatchObject({
      ok: false,
      code: 'AuthFailure.SignatureFailure',
    });
    expect(verifyTc3(lower(tc3Headers(req, 'AKIDtest', 'wrong')), req.payload, secrets, at)).toMatchObject({
      ok: false,
    });
    expect(verifyTc3({ ...headers, host: 'evil.example' }, req.payload, secrets, at)).toMatchObject({ ok: false });
    expect(verifyTc3(headers, req.payload, secrets, at + 10 * 60_000)).toMatchObject({
      ok: false,
      code: 'AuthFailure.SignatureExpire',
    });
    expect(verifyTc3(lower(tc3Headers(req, 'AKIDother', 'x')), req.payload, secrets, at)).toMatchObject({
      code: 'AuthFailure.SecretIdNotFound',
    });
  });
});
