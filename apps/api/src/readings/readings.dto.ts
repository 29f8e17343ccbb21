import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** One observation of a station: water level (m) and/or rainfall (mm) over the interval ending at `at`. */
export class ReadingDto {
  @ApiProperty({ example: 'FD-SZ-01', description: 'station code' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'station must be a station code (letters, digits, _ . -)' })
  station!: string;

  @ApiProperty({
    example: '2026-07-11T08:00:00+08:00',
    description: 'end of the interval, ISO 8601 with a zone offset',
  })
  @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/, {
    message: 'at must be ISO 8601 with a zone offset',
  })
  at!: string;

  @ApiProperty({ required: false, example: 182.4, description: 'water level, m' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-500)
  @Max(9000)
  waterLevel?: number;

  @ApiProperty({ required: false, example: 35.5, description: 'rainfall over the interval, mm' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(2000)
  rainfallMm?: number;
}

/** The day's forest-fire danger rating (森林火险气象等级) of an area. */
export class FireRatingDto {
  @ApiProperty({ example: '500230', description: 'division code' })
  @Matches(/^(\d{6}|\d{9}|\d{12})$/, { message: 'areaCode must be a 6-, 9- or 12-digit division code' })
  areaCode!: string;

  @ApiProperty({ example: '2026-07-11' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be YYYY-MM-DD' })
  date!: string;

  @ApiProperty({ minimum: 1, maximum: 5, example: 4, description: '森林火险气象等级' })
  @IsInt()
  @Min(1)
  @Max(5)
  rating!: number;
}
