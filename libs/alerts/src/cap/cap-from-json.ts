import { IssueList, issuesError } from './cap-issues';
import { CapOptions, contextFrom } from './cap-options';
import { normalizeRawCap } from './normalize-cap';
import { NormalizedAlert } from './normalized-alert';
import { rawCapFromJson } from './raw-cap-from-json';

/**
 * A CAP message given as JSON (an object mirroring CAP 1.2 element names) → NormalizedAlert. The same rules
 * as parseCap apply, minus the XSD: required elements and enums are checked by the shared rules.
 * Throws ValidationError whose details name each bad field.
 */
export function capFromJson(obj: unknown, opts: CapOptions = {}): NormalizedAlert {
  const issues = new IssueList();
  const raw = rawCapFromJson(obj, issues);
  const alert = normalizeRawCap(raw, '1.2', contextFrom(opts), issues);
  if (alert === null || !issues.isEmpty) {
    throw issuesError(issues.items);
  }
  return alert;
}
