import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, MaxLength, Min, MinLength } from 'class-validator';
import type { AckResponse } from '@app/database';

export class ManualAckDto {
  @ApiProperty({ enum: ['received', 'on_post', 'evacuating', 'cannot_comply'] })
  @IsIn(['received', 'on_post', 'evacuating', 'cannot_comply'])
  response!: AckResponse;

  @ApiProperty({ description: '电话叫应记录：打给谁、谁接的、对方怎么说', minLength: 2, maxLength: 500 })
  @IsString()
  @MinLength(2)
  @MaxLength(500)
  note!: string;

  @ApiProperty({ required: false, minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  headCount?: number;
}

export class ResidentConfirmDto {
  @ApiProperty({ required: false, description: '已当面告知' })
  @IsOptional()
  @IsBoolean()
  informed?: boolean;

  @ApiProperty({ required: false, description: '已安排转移' })
  @IsOptional()
  @IsBoolean()
  evacuationArranged?: boolean;

  @ApiProperty({ required: false, maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  note?: string;
}
