import { IssueList } from './cap-issues';
import { checkPlausible, parseCapDateTime } from './cap-time';

/** CAP forbids spaces, commas and the restricted characters < & in identifier and sender. */
const CAP_ID = /^[^\s,<&]+$/;
/** What the warnings table keeps of an identifier or a sender. */
const CAP_ID_MAX = 255;

/** The per-field checks shared by every CAP element; each records its problem under the field's path. */
export class FieldChecks {
  constructor(
    private readonly issues: IssueList,
    private readonly now: Date,
  ) {}

  /** Present and not empty (the XSD lets empty strings through; we do not). */
  required(value: string | undefined, field: string): value is string {
    if (value === undefined) {
      this.issues.add(field, 'required element is missing', '缺少必填字段');
      return false;
    }
    if (value === '') {
      this.issues.add(field, 'must not be empty', '必填字段不能为空');
      return false;
    }
    return true;
  }

  /** Required and one of the CAP enumeration (case-sensitive, as CAP is). */
  oneOf(value: string | undefined, field: string, allowed: readonly string[]): string | null {
    if (!this.required(value, field)) {
      return null;
    }
    if (!allowed.includes(value)) {
      this.issues.add(field, `"${value}" is not one of ${allowed.join(', ')}`, '取值不在允许范围内');
      return null;
    }
    return value;
  }

  /** identifier / sender: required, and usable inside a `references` triple. */
  capId(value: string | undefined, field: string): string {
    if (this.required(value, field) && !CAP_ID.test(value)) {
      this.issues.add(field, 'must not contain spaces, commas, < or &', '不得含空格、逗号、<或&');
    } else if (value !== undefined && value.length > CAP_ID_MAX) {
      this.issues.add(field, `must not be longer than ${CAP_ID_MAX} characters`, `不得超过${CAP_ID_MAX}个字符`);
    }
    return value ?? '';
  }

  /** An optional CAP date-time with zone offset, not before 2000 nor more than `aheadMs` after now. */
  time(value: string | undefined, field: string, aheadMs: number): Date | null {
    if (value === undefined) {
      return null;
    }
    const parsed = parseCapDateTime(value);
    if (!parsed.ok) {
      this.issues.add(field, parsed.problem, '时间须为带时区的CAP格式，如2024-07-11T01:52:00+08:00');
      return null;
    }
    const absurd = checkPlausible(parsed.value, this.now, aheadMs);
    if (absurd !== null) {
      this.issues.add(field, absurd, '时间不合理');
      return null;
    }
    return parsed.value;
  }
}
