import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsUrl, Matches, MaxLength, ValidateIf } from 'class-validator';

/** Longest 执行情况 note and photo link (the order_targets columns hold 500). */
export const ORDER_NOTE_MAX = 500;

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** The order page's two forms: 已收到指令, or 已执行 with a required note of what was done and an optional photo link. */
export class OrderFormDto {
  @IsIn(['acknowledge', 'execute'], { message: '请按“已收到指令”或“已执行”按钮提交' })
  action!: 'acknowledge' | 'execute';

  @Transform(trimmed)
  @ValidateIf((f: OrderFormDto) => f.action === 'execute' || (f.note ?? '') !== '')
  @IsNotEmpty({ message: '请填写执行情况，如：已封闭XX路段' })
  @Matches(new RegExp(`^[\\s\\S]{0,${ORDER_NOTE_MAX}}$`), { message: `执行情况请写在 ${ORDER_NOTE_MAX} 字以内` })
  note?: string;

  @Transform(({ value }: { value: unknown }) => (trimmed({ value }) === '' ? undefined : trimmed({ value })))
  @IsOptional()
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: '照片链接须以 http:// 或 https:// 开头' },
  )
  @MaxLength(ORDER_NOTE_MAX, { message: `照片链接不能超过 ${ORDER_NOTE_MAX} 个字符` })
  photoUrl?: string;
}
