import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import type { AckResponse } from '@app/database';

export class AckFormDto {
  @ApiProperty({ enum: ['received', 'on_post', 'evacuating', 'cannot_comply'] })
  @IsIn(['received', 'on_post', 'evacuating', 'cannot_comply'])
  response!: AckResponse;

  @ApiProperty({ required: false, maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value))
  note?: string;

  @ApiProperty({ required: false, minimum: 0 })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === '' || value === undefined ? undefined : Number(value)))
  @IsInt()
  @Min(0)
  headCount?: number;
}

/** The page's per-resident buttons: one step per press. */
export class ResidentFormDto {
  @IsIn(['informed', 'evacuation_arranged'])
  step!: 'informed' | 'evacuation_arranged';

  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value))
  note?: string;
}
