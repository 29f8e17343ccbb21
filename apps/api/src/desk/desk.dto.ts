import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { LEVEL_NAMES } from '@app/config';
import { PageQueryDto } from '../common/page-query.dto';

const CODE = /^\d{6,12}$/;
const CODE_MESSAGE = { message: '区划代码须为 6–12 位数字 (division code: 6–12 digits)' };

export class WarningListQueryDto extends PageQueryDto {
  @ApiProperty({
    required: false,
    enum: ['active', 'history'],
    default: 'active',
    description: 'active: in force (newest version of each chain); history: the rest',
  })
  @IsOptional()
  @IsIn(['active', 'history'])
  tab: 'active' | 'history' = 'active';

  @ApiProperty({ required: false, example: 'rainstorm' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  hazard?: string;

  @ApiProperty({ required: false, enum: [...LEVEL_NAMES, '1', '2', '3', '4'] })
  @IsOptional()
  @IsIn([...LEVEL_NAMES, '1', '2', '3', '4'])
  level?: string;

  @ApiProperty({
    required: false,
    example: '500230107',
    description: 'division code the area names, lies in or contains',
  })
  @IsOptional()
  @Matches(CODE, CODE_MESSAGE)
  area?: string;

  @ApiProperty({
    required: false,
    example: 'tracking',
    description: 'received, matching, tracking, lifted, expired, cancelled, closed …',
  })
  @IsOptional()
  @IsString()
  @MaxLength(16)
  state?: string;

  @ApiProperty({ required: false, description: 'part of the headline, event or area description' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class DraftListQueryDto extends PageQueryDto {
  @ApiProperty({ required: false, enum: ['draft', 'issued', 'discarded'], default: 'draft' })
  @IsOptional()
  @IsIn(['draft', 'issued', 'discarded'])
  state: 'draft' | 'issued' | 'discarded' = 'draft';

  @ApiProperty({ required: false, description: 'true: only drafts still waiting for a second officer’s approval' })
  @IsOptional()
  @Transform(({ value }) => value === true || value === 'true' || value === '1')
  @IsBoolean()
  awaiting?: boolean;
}

export class CallListQueryDto extends PageQueryDto {
  @ApiProperty({
    required: false,
    example: 'unreachable',
    description: 'pending, sent, acknowledged, escalated, unreachable, superseded, cancelled',
  })
  @IsOptional()
  @IsString()
  @MaxLength(16)
  state?: string;
}

export class DivisionQueryDto {
  @ApiProperty({
    required: false,
    example: '500230',
    description: 'children of this unit; left out: the caller’s own unit (or the counties)',
  })
  @IsOptional()
  @Matches(CODE, CODE_MESSAGE)
  parent?: string;

  @ApiProperty({
    required: false,
    example: '十直',
    description: 'search by name within the caller’s region (instead of parent)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  q?: string;
}

export class GeoUnitsQueryDto {
  @ApiProperty({ enum: ['county', 'town', 'village'] })
  @IsIn(['county', 'town', 'village'], {
    message: 'level: county, town or village（层级须为 county、town 或 village）',
  })
  level!: 'county' | 'town' | 'village';

  @ApiProperty({
    required: false,
    example: '500230',
    description: 'only units under this code (narrowed to the caller’s region)',
  })
  @IsOptional()
  @Matches(CODE, CODE_MESSAGE)
  within?: string;
}

export class GeoWithinQueryDto {
  @ApiProperty({ required: false, example: '500230107' })
  @IsOptional()
  @Matches(CODE, CODE_MESSAGE)
  within?: string;
}

export class GeoZonesQueryDto {
  @ApiProperty({ required: false, example: '500230107' })
  @IsOptional()
  @Matches(CODE, CODE_MESSAGE)
  within?: string;

  @ApiProperty({ required: false, example: 'geo_hazard' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  hazard?: string;
}

export class RecipientQueryDto extends PageQueryDto {
  @ApiProperty({ required: false, description: 'part of a name, title, unit, town or village' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  q?: string;
}
