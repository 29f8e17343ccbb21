import { ValidationError as ClassValidationError, getMetadataStorage } from 'class-validator';
import { UnknownField, ValidationError, unknownFieldsError } from '@app/common';

/** Property names a DTO class declares (every decorated property, inherited ones included). */
function knownNames(target: object | undefined): string[] {
  if (target === undefined) {
    return [];
  }
  const metas = getMetadataStorage().getTargetValidationMetadatas(target.constructor, '', true, false);
  return [...new Set(metas.map((m) => m.propertyName))];
}

/**
 * class-validator errors → one ValidationError. Unknown properties (forbidNonWhitelisted) are reported with the
 * nearest declared name (您是否想填写 …); other problems keep class-validator's constraint messages.
 */
export function validationErrorFrom(errors: ClassValidationError[]): ValidationError {
  const unknown: UnknownField[] = [];
  const problems: Array<{ field: string; problem: string }> = [];
  const walk = (list: ClassValidationError[], base: string): void => {
    for (const e of list) {
      const field =
        base === '' ? e.property : /^\d+$/.test(e.property) ? `${base}[${e.property}]` : `${base}.${e.property}`;
      const constraints = { ...(e.constraints ?? {}) };
      if ('whitelistValidation' in constraints) {
        unknown.push({ field, known: knownNames(e.target) });
        delete constraints.whitelistValidation;
      }
      if (Object.keys(constraints).length > 0) {
        problems.push({ field, problem: Object.values(constraints).join(', ') });
      }
      walk(e.children ?? [], field);
    }
  };
  walk(errors, '');
  if (unknown.length > 0) {
    return unknownFieldsError(unknown);
  }
  return new ValidationError(
    `${problems.map((p) => `${p.field}: ${p.problem}`).join('; ')}（请按提示修改字段后重试）`,
    { fields: problems.map((p) => p.field), field: problems[0]?.field, problem: problems[0]?.problem },
  );
}
