import { verifyAlibabaRequest } from '@app/simulators';
import { canonicalQuery, percentEncode, signedRpcParams, signRpc } from './alibaba-rpc';

describe('Alibaba Cloud RPC signature (known answers from Alibaba Cloud documentation)', () => {
  it('reproduces the dysmsapi SendSms example', () => {
    const params = {
      AccessKeyId: 'testId',
      Action: 'SendSms',
      Format: 'XML',
      OutId: '123',
      PhoneNumbers: '15300000001',
      RegionId: 'cn-hangzhou',
      SignName: '阿里云短信测试专用',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
      SignatureVersion: '1.0',
      TemplateCode: 'SMS_71390007',
      TemplateParam: '{"customer":"test"}',
      Timestamp: '2017-07-12T02:42:19Z',
      Version: '2017-05-25',
    };
    expect(signRpc('GET', params, 'testSecret')).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  });

  it('reproduces the ECS DescribeRegions example of the signature guide', () => {
    const params = {
      AccessKeyId: 'testid',
      Action: 'DescribeRegions',
      Format: 'XML',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      SignatureVersion: '1.0',
      Timestamp: '2016-02-23T12:46:24Z',
      Version: '2014-05-26',
    };
    expect(canonicalQuery(params)).toContain('Timestamp=2016-02-23T12%3A46%3A24Z');
    expect(signRpc('GET', params, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('encodes the characters encodeURIComponent leaves alone', () => {
    expect(percentEncode("a b*c~d!'()")).toBe('a%20b%2Ac~d%21%27%28%29');
  });
});

describe('Alibaba Cloud RPC signature (our signer against the simulator verifier, written separately)', () => {
  const key = { accessKeyId: 'LTAI-test', accessKeySecret: 'secret-for-tests' };
  const now = new Date('2025-11-22T08:00:00Z');
  const signed = () =>
    signedRpcParams(
      'SendSms',
      '2017-05-25',
      { PhoneNumbers: '17000000001', SignName: '叫应预警', TemplateParam: '{"a":"b c*"}' },
      key,
      now,
    );

  it('is accepted once and refused when replayed, altered or signed with another key', () => {
    const nonces = new Set<string>();
    const params = signed();
    expect(verifyAlibabaRequest('POST', params, { 'LTAI-test': 'secret-for-tests' }, nonces, now.getTime())).toEqual({
      ok: true,
    });
    expect(
      verifyAlibabaRequest('POST', params, { 'LTAI-test': 'secret-for-tests' }, nonces, now.getTime()),
    ).toMatchObject({ code: 'SignatureNonceUsed' });
    const altered = { ...signed(), PhoneNumbers: '17000000002' };
    expect(
      verifyAlibabaRequest('POST', altered, { 'LTAI-test': 'secret-for-tests' }, nonces, now.getTime()),
    ).toMatchObject({ code: 'SignatureDoesNotMatch' });
    expect(verifyAlibabaRequest('POST', signed(), { 'LTAI-test': 'other' }, nonces, now.getTime())).toMatchObject({
      code: 'SignatureDoesNotMatch',
    });
    expect(verifyAlibabaRequest('POST', signed(), {}, nonces, now.getTime())).toMatchObject({
      code: 'InvalidAccessKeyId.NotFound',
    });
    expect(
      verifyAlibabaRequest('POST', signed(), { 'LTAI-test': 'secret-for-tests' }, nonces, now.getTime() + 3600_000),
    ).toMatchObject({ code: 'InvalidTimeStamp.Expired' });
  });
});
