import { ValidationError } from '@app/common';

/** One thing wrong with a CAP message. `field` is a CAP path such as `info[0].area[1].polygon[0]`. */
export interface CapIssue {
  field: string;
  problem: string;
  /** Short zh-CN hint for the person who sent the message. */
  hint?: string;
  /** Line in the XML text, when known. */
  line?: number;
}

/** Throws one ValidationError for a single problem that stops processing at once (size, encoding, DTD, namespace). */
export function capError(field: string, problem: string, hint?: string, line?: number): ValidationError {
  return issuesError([{ field, problem, hint, line }]);
}

/**
 * Builds the ValidationError for a list of issues: the first one names `details.field`/`details.problem`,
 * all of them are in `details.issues`, so the API can show each field and what is wrong with it.
 */
export function issuesError(issues: CapIssue[]): ValidationError {
  const first: CapIssue = issues.length > 0 ? issues[0] : { field: 'alert', problem: 'the message is invalid' };
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  const at = first.line === undefined ? '' : ` (line ${first.line})`;
  const hint = first.hint ?? '预警报文格式有误';
  return new ValidationError(`Invalid CAP message: ${first.field}: ${first.problem}${at}${more}. ${hint}`, {
    field: first.field,
    problem: first.problem,
    ...(first.line === undefined ? {} : { line: first.line }),
    issues: issues.map((i) => ({ ...i })),
  });
}

/** Collects issues while a message is checked, so one response can name every bad field. */
export class IssueList {
  readonly items: CapIssue[] = [];

  /** Adds an issue; a field already reported keeps its first (most specific) problem. */
  add(field: string, problem: string, hint?: string): void {
    if (this.items.some((i) => i.field === field)) {
      return;
    }
    this.items.push({ field, problem, ...(hint === undefined ? {} : { hint }) });
  }

  get isEmpty(): boolean {
    return this.items.length === 0;
  }

  throwIfAny(): void {
    if (!this.isEmpty) {
      throw issuesError(this.items);
    }
  }
}
