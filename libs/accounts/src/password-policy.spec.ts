import { passwordProblem } from './password-policy';

describe('passwordProblem', () => {
  it('refuses short, common, sequential, repeated and login-name passwords, in Chinese first', () => {
    expect(passwordProblem('short1', 'zhang')).toMatch(/^密码至少 10 个字符/);
    expect(passwordProblem('Password123', 'zhang')).toMatch(/过于常见/);
    expect(passwordProblem('woaini1314', 'zhang')).toMatch(/过于常见/);
    expect(passwordProblem('3456789012', 'zhang')).toMatch(/过于常见/);
    expect(passwordProblem('zzzzzzzzzzzz', 'zhang')).toMatch(/过于常见/);
    expect(passwordProblem('my-zhang-2026!', 'zhang')).toMatch(/登录名/);
  });

  it('accepts a long unusual passphrase', () => {
    expect(passwordProblem('river-lantern-57-cloud', 'zhang')).toBeNull();
  });
});
