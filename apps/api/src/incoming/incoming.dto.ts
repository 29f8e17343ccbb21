import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

/** Why an officer dismisses an incoming alert (kept in the warning's history). */
export class DismissIncomingDto {
  @ApiProperty({ minLength: 2, maxLength: 500, example: '雨量站故障，现场核实无强降雨' })
  @IsString()
  @MinLength(2)
  @MaxLength(500)
  reason!: string;
}
