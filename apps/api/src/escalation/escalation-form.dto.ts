import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsUUID, MaxLength, ValidateIf } from 'class-validator';
import type { EscalationResponse } from '@app/calls';

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const list = ({ value }: { value: unknown }): unknown[] =>
  value === undefined || value === '' ? [] : Array.isArray(value) ? (value as unknown[]) : [value];

/** The 督办 page's three forms: 已收到督办; 已联系上 (whom, note); 已派人前往 (who, ETA). */
export class EscalationFormDto {
  @IsIn(['received', 'contacted', 'dispatched'], {
    message: '请按“已收到督办”“已联系上”或“已派人前往”按钮提交 (response must be received, contacted or dispatched)',
  })
  response!: EscalationResponse;

  @Transform(list)
  @ValidateIf((f: EscalationFormDto) => f.response === 'contacted')
  @IsUUID('all', { each: true, message: '所选人员无效，请从列表中勾选 (pick people from the list)' })
  @IsNotEmpty({ message: '请勾选已联系上的人员 (pick whom you reached)' })
  callTaskIds?: string[];

  @Transform(trimmed)
  @IsOptional()
  @MaxLength(500, { message: '情况说明请写在 500 字以内 (note: at most 500 characters)' })
  note?: string;

  @Transform(trimmed)
  @ValidateIf((f: EscalationFormDto) => f.response === 'dispatched')
  @IsNotEmpty({ message: '请填写派往人员，如：村干部王五 (who was sent)' })
  @MaxLength(200, { message: '派往人员请写在 200 字以内 (who: at most 200 characters)' })
  who?: string;

  @Transform(trimmed)
  @ValidateIf((f: EscalationFormDto) => f.response === 'dispatched')
  @IsNotEmpty({ message: '请填写预计到达时间，如：20分钟内 (ETA)' })
  @MaxLength(100, { message: '预计到达时间请写在 100 字以内 (ETA: at most 100 characters)' })
  eta?: string;
}
