import { COMMON_PASSWORDS } from './common-passwords';

export const MIN_PASSWORD_LENGTH = 10;
const MAX_PASSWORD_LENGTH = 128;

/** Why a new password is refused (zh-CN first, then English), or null when it is acceptable. */
export function passwordProblem(password: string, username: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `密码至少 ${MIN_PASSWORD_LENGTH} 个字符 (password must have at least ${MIN_PASSWORD_LENGTH} characters)`;
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return `密码最多 ${MAX_PASSWORD_LENGTH} 个字符 (password must have at most ${MAX_PASSWORD_LENGTH} characters)`;
  }
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || /^(.)\1+$/.test(password) || (/^\d+$/.test(password) && isSequence(password))) {
    return '密码过于常见，请换一个不易猜到的密码 (this password is too common; choose one that is hard to guess)';
  }
  if (username && lower.includes(username.toLowerCase())) {
    return '密码不能包含登录名 (password must not contain the login name)';
  }
  return null;
}

function isSequence(digits: string): boolean {
  for (let i = 1; i < digits.length; i++) {
    const step = (Number(digits[i]) - Number(digits[i - 1]) + 10) % 10;
    if (step !== 1 && step !== 9) {
      return false;
    }
  }
  return true;
}
