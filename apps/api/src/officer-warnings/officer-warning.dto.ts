import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import type { Colour } from '@app/alerts';

/** A duty officer's warning. On a new draft hazardType, colour, headline and areaCodes are required (the service says which is missing). */
export class OfficerWarningDto {
  /** The issued warning this draft updates (upgrade, downgrade, area change); omitted fields keep its values. */
  @IsOptional() @IsUUID()
  updates?: string;

  @IsOptional() @IsString() @MaxLength(32)
  hazardType?: string;

  @IsOptional() @IsIn(['red', 'orange', 'yellow', 'blue'])
  colour?: Colour;

  @IsOptional() @IsString() @MaxLength(200)
  event?: string;

  @IsOptional() @IsString() @MaxLength(300)
  headline?: string;

  @IsOptional() @IsString() @MaxLength(4000)
  description?: string;

  @IsOptional() @IsString() @MaxLength(4000)
  instruction?: string;

  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(500) @Matches(/^(\d{6}|\d{9}|\d{12})$/, { each: true, message: 'areaCodes must be 6-, 9- or 12-digit division codes' })
  areaCodes?: string[];

  /** A closed ring of [lon, lat] pairs (WGS84). */
  @IsOptional() @IsArray() @ArrayMinSize(4) @ArrayMaxSize(5000)
  polygon?: Array<[number, number]>;

  /** ISO 8601 with a zone offset, e.g. 2025-07-11T08:00:00+08:00. */
  @IsOptional() @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/, { message: 'expires must be ISO 8601 with a zone offset' })
  expires?: string;

  @IsOptional() @IsBoolean()
  drill?: boolean;

  @IsOptional() @IsIn(['Public', 'Restricted'])
  scope?: 'Public' | 'Restricted';
}
