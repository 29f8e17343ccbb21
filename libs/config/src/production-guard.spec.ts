import { loadEnv, ProductionConfigError } from './index';

const PROPER = {
  NODE_ENV: 'production',
  ACK_SIGNING_KEYS: 'p1:Q2x8kV7mZr4tLw9sYb3nHc6dJf1gAe5uXp0o',
  PROVIDER_CALLBACK_SECRET: 'a-long-callback-secret-from-the-vault',
  SMS_PROVIDERS: 'alibaba,tencent',
  VOICE_PROVIDERS: 'tencent-voice',
  ALIBABA_ACCESS_KEY_ID: 'LTAI-real-id',
  ALIBABA_ACCESS_KEY_SECRET: 'real-alibaba-secret',
  TENCENT_SECRET_ID: 'AKID-real',
  TENCENT_SECRET_KEY: 'real-tencent-key',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadEnv(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ProductionConfigError);
    return (e as ProductionConfigError).problems.map((p) => p.variable);
  }
  return [];
}

describe('production mode', () => {
  it('refuses the development secrets and the simulator, naming each variable in Chinese and English', () => {
    expect(problems({ NODE_ENV: 'production' }).sort()).toEqual([
      'ACK_SIGNING_KEYS',
      'PROVIDER_CALLBACK_SECRET',
      'SMS_PROVIDERS',
      'VOICE_PROVIDERS',
    ]);
    expect(() => loadEnv({ NODE_ENV: 'production' })).toThrow(/生产模式拒绝启动.*production mode refuses to start/s);
  });

  it('refuses the development keys of a carrier in use, and only of one in use', () => {
    const without = (...names: string[]) =>
      Object.fromEntries(Object.entries(PROPER).filter(([k]) => !names.includes(k)));
    expect(problems(without('ALIBABA_ACCESS_KEY_SECRET', 'TENCENT_SECRET_KEY')).sort()).toEqual([
      'ALIBABA_ACCESS_KEY_SECRET',
      'TENCENT_SECRET_KEY',
    ]);
    expect(
      problems({ ...without('ALIBABA_ACCESS_KEY_ID', 'ALIBABA_ACCESS_KEY_SECRET'), SMS_PROVIDERS: 'tencent' }),
    ).toEqual([]);
  });

  it('refuses a rotation that still lists the development key beside a proper one', () => {
    expect(
      problems({
        ...PROPER,
        ACK_SIGNING_KEYS: `${PROPER.ACK_SIGNING_KEYS},dev:development-only-signing-key-change-me-0001`,
      }),
    ).toEqual(['ACK_SIGNING_KEYS']);
  });

  it('starts with proper secrets, never echoes a value, and leaves development mode alone', () => {
    expect(loadEnv(PROPER).env).toBe('production');
    expect(loadEnv({}).env).toBe('development');
    let message = '';
    try {
      loadEnv({ ...PROPER, PROVIDER_CALLBACK_SECRET: 'development-callback-secret-change-me' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('PROVIDER_CALLBACK_SECRET');
    expect(message).not.toContain('development-callback-secret');
  });

  it('binds to loopback unless HTTP_HOST says otherwise', () => {
    expect(loadEnv({}).http.host).toBe('127.0.0.1');
    expect(loadEnv({ HTTP_HOST: '0.0.0.0' }).http.host).toBe('0.0.0.0');
    expect(() => loadEnv({ HTTP_HOST: 'evil host' })).toThrow('HTTP_HOST');
  });
});
