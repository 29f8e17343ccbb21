import { IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** One observation of a station: water level (m) and/or rainfall (mm) over the interval ending at `at`. */
export class ReadingDto {
  @IsString() @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'station must be a station code (letters, digits, _ . -)' })
  station!: string;

  @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/, { message: 'at must be ISO 8601 with a zone offset' })
  at!: string;

  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(-500) @Max(9000)
  waterLevel?: number;

  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(2000)
  rainfallMm?: number;
}

/** The day's forest-fire danger rating (森林火险气象等级) of an area. */
export class FireRatingDto {
  @Matches(/^(\d{6}|\d{9}|\d{12})$/, { message: 'areaCode must be a 6-, 9- or 12-digit division code' })
  areaCode!: string;

  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be YYYY-MM-DD' })
  date!: string;

  @IsInt() @Min(1) @Max(5)
  rating!: number;
}
