import { ValidationError } from './errors';

/** Edit distance (insert, delete, substitute one character) between two names. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/** The known name closest to `name` (case-insensitive), or null when none is close enough to be a typo. */
function nearestName(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      [best, bestDistance] = [candidate, d];
    }
  }
  const allowed = Math.max(2, Math.ceil((best?.length ?? 0) / 3));
  return best !== null && bestDistance <= allowed ? best : null;
}

export interface UnknownField {
  /** Path of the field as sent, e.g. `info[0].area[0].geocodes`. */
  field: string;
  known: readonly string[];
}

/** One sentence per unknown field, English then Chinese, with the nearest known name when there is one. */
export function unknownFieldProblem(
  name: string,
  known: readonly string[],
): { problem: string; hint: string; suggestion: string | null } {
  const suggestion = nearestName(name, known);
  return suggestion === null
    ? {
        problem: `unknown field "${name}"; known fields here: ${known.join(', ')}`,
        hint: `未知字段 "${name}"，此处可填写：${known.join('、')}`,
        suggestion,
      }
    : {
        problem: `unknown field "${name}"; did you mean "${suggestion}"?`,
        hint: `未知字段 "${name}"，您是否想填写 "${suggestion}"？`,
        suggestion,
      };
}

/** The 400 for unknown fields: the first names `details.field`, every one is in `details.issues`. */
export function unknownFieldsError(fields: UnknownField[]): ValidationError {
  const issues = fields.map(({ field, known }) => {
    const name = field.replace(/^.*[.\]]/, '') || field;
    const { problem, hint, suggestion } = unknownFieldProblem(name, known);
    return { field, problem, hint, ...(suggestion === null ? {} : { suggestion }) };
  });
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new ValidationError(`${first.field}: ${first.problem}${more}（${first.hint}）; nothing was stored`, {
    field: first.field,
    problem: first.problem,
    issues,
  });
}
