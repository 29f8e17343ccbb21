import { EnvDto } from './env.dto';

/** A variable production will not run with, and why (zh-CN first). */
export interface ProductionProblem {
  variable: string;
  reason: string;
}

export class ProductionConfigError extends Error {
  constructor(readonly problems: ProductionProblem[]) {
    super(
      `生产模式拒绝启动：请设置以下环境变量 / production mode refuses to start, set these variables:\n` +
        problems.map((p) => `  ${p.variable}: ${p.reason}`).join('\n'),
    );
  }
}

const DEVELOPMENT_DEFAULT = '仍是开发默认值 (still the development default)';

/** Provider credentials by carrier; only the carriers in use must have their own. */
const CARRIER_KEYS: Record<string, Array<keyof EnvDto>> = {
  alibaba: ['ALIBABA_ACCESS_KEY_ID', 'ALIBABA_ACCESS_KEY_SECRET'],
  tencent: ['TENCENT_SECRET_ID', 'TENCENT_SECRET_KEY'],
};

/**
 * What production mode refuses: the development signing keys, callback secret and carrier keys (they are public in
 * this repository), and the carrier simulator in place of a real carrier. The error names each variable, never a value.
 */
export function productionProblems(dto: EnvDto): ProductionProblem[] {
  const dev = new EnvDto();
  const problems: ProductionProblem[] = [];
  const devSecrets = new Set(dev.ACK_SIGNING_KEYS.split(',').map((p) => p.split(':')[1]));
  if (dto.ACK_SIGNING_KEYS.split(',').some((p) => devSecrets.has(p.split(':')[1]))) {
    problems.push({
      variable: 'ACK_SIGNING_KEYS',
      reason: `${DEVELOPMENT_DEFAULT}; 形如 kid:至少32位随机串 (kid:secret of 32+ random characters)`,
    });
  }
  if (dto.PROVIDER_CALLBACK_SECRET === dev.PROVIDER_CALLBACK_SECRET) {
    problems.push({ variable: 'PROVIDER_CALLBACK_SECRET', reason: DEVELOPMENT_DEFAULT });
  }
  const providers = [...dto.SMS_PROVIDERS.split(','), ...dto.VOICE_PROVIDERS.split(',')].filter(Boolean);
  for (const list of ['SMS_PROVIDERS', 'VOICE_PROVIDERS'] as const) {
    if (dto[list].split(',').some((p) => p.endsWith('-sim'))) {
      problems.push({
        variable: list,
        reason: '含本地模拟运营商 (-sim)，请填写真实运营商 (names the local carrier simulator; name real carriers)',
      });
    }
  }
  for (const [carrier, keys] of Object.entries(CARRIER_KEYS)) {
    if (!providers.some((p) => p.startsWith(carrier) && !p.endsWith('-sim'))) {
      continue;
    }
    for (const key of keys) {
      if (dto[key] === dev[key]) {
        problems.push({ variable: key, reason: DEVELOPMENT_DEFAULT });
      }
    }
  }
  return problems;
}
