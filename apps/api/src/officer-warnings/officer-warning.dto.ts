import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import type { Colour } from '@app/alerts';
import { LEVEL_NAMES } from '@app/config';

/** A duty officer's warning. On a new draft hazardType, colour, headline and areaCodes are required (the service says which is missing). */
export class OfficerWarningDto {
  /** The issued warning this draft updates (upgrade, downgrade, area change); omitted fields keep its values. */
  @ApiProperty({
    required: false,
    format: 'uuid',
    description:
      'the issued warning this draft updates (upgrade, downgrade, area change); omitted fields keep its values',
  })
  @IsOptional()
  @IsUUID()
  updates?: string;

  @ApiProperty({
    required: false,
    example: 'rainstorm',
    description: 'hazard code (GET /api/v1/reference/hazards); required on a new draft',
  })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  hazardType?: string;

  @ApiProperty({ required: false, enum: LEVEL_NAMES, example: 'red', description: 'required on a new draft' })
  @IsOptional()
  @IsIn(LEVEL_NAMES)
  colour?: Colour;

  @ApiProperty({ required: false, example: '暴雨红色预警', description: 'by default from hazard and colour' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  event?: string;

  @ApiProperty({
    required: false,
    example: '丰都县发布十直镇暴雨红色预警',
    maxLength: 300,
    description: 'required on a new draft',
  })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  headline?: string;

  @ApiProperty({ required: false, maxLength: 4000 })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  description?: string;

  @ApiProperty({ required: false, maxLength: 4000, example: '立即组织山洪危险区人员转移。' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  instruction?: string;

  @ApiProperty({
    required: false,
    type: [String],
    example: ['500230107'],
    description:
      '6-, 9- or 12-digit division codes; a town covers its villages; required on a new draft unless a polygon is given',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @Matches(/^(\d{6}|\d{9}|\d{12})$/, { each: true, message: 'areaCodes must be 6-, 9- or 12-digit division codes' })
  areaCodes?: string[];

  /** A closed ring of [lon, lat] pairs (WGS84). */
  @ApiProperty({
    required: false,
    type: 'array',
    items: { type: 'array', items: { type: 'number' } },
    example: [
      [107.7, 29.9],
      [107.8, 29.9],
      [107.8, 30.0],
      [107.7, 29.9],
    ],
    description: 'closed ring of [lon, lat] (WGS84)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(4)
  @ArrayMaxSize(5000)
  polygon?: Array<[number, number]>;

  /** ISO 8601 with a zone offset, e.g. 2025-07-11T08:00:00+08:00. */
  @ApiProperty({ required: false, example: '2026-07-11T20:00:00+08:00', description: 'ISO 8601 with a zone offset' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/, {
    message: 'expires must be ISO 8601 with a zone offset',
  })
  expires?: string;

  @ApiProperty({ required: false, default: false, description: 'an exercise: marked 【演练】, kept out of statistics' })
  @IsOptional()
  @IsBoolean()
  drill?: boolean;

  @ApiProperty({
    required: false,
    enum: ['Public', 'Restricted'],
    default: 'Restricted',
    description: 'Public also reaches residents',
  })
  @IsOptional()
  @IsIn(['Public', 'Restricted'])
  scope?: 'Public' | 'Restricted';
}

/** Why a second officer sends a draft back (the author reads it on the draft). */
export class ReturnDraftDto {
  @ApiProperty({ minLength: 2, maxLength: 500, example: '范围应扩大到汀溪村下游' })
  @IsString()
  @MinLength(2)
  @MaxLength(500)
  comment!: string;
}
