import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsUUID,
  Max,
  Min,
} from 'class-validator';
import { REPORT_DIMENSIONS, ReportDimension } from '@app/desk';

const DATE_MESSAGE = { message: 'from/to 须为 ISO 8601 时间 (from/to: ISO 8601 date-time)' };

/** A period of warnings and whether drills (演练) or real warnings are counted. */
export class ReportPeriodDto {
  @ApiProperty({ required: false, description: 'warnings sent from (default: 30 days ago)' })
  @IsOptional()
  @IsISO8601({}, DATE_MESSAGE)
  from?: string;

  @ApiProperty({ required: false, description: 'warnings sent before (default: now)' })
  @IsOptional()
  @IsISO8601({}, DATE_MESSAGE)
  to?: string;

  @ApiProperty({ required: false, default: false, description: 'true: drills (演练) only; false: real warnings only' })
  @IsOptional()
  @Transform(({ value }) => value === true || value === 'true' || value === '1')
  @IsBoolean()
  drill: boolean = false;
}

export class AckReportQueryDto extends ReportPeriodDto {
  @ApiProperty({ enum: REPORT_DIMENSIONS, default: 'town' })
  @IsOptional()
  @IsIn(REPORT_DIMENSIONS, {
    message: `by 须为 ${REPORT_DIMENSIONS.join('、')} 之一 (by: one of ${REPORT_DIMENSIONS.join(', ')})`,
  })
  by: ReportDimension = 'town';
}

const MIN_MESSAGE = { message: 'min 须为 1–50 的整数 (min: an integer from 1 to 50)' };

export class NonResponderQueryDto extends ReportPeriodDto {
  @ApiProperty({
    required: false,
    default: 2,
    minimum: 1,
    maximum: 50,
    description: 'at least this many warnings without an answer; 1 lists every non-responder',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt(MIN_MESSAGE)
  @Min(1, MIN_MESSAGE)
  @Max(50, MIN_MESSAGE)
  min: number = 2;
}

export class RaiseIssuesDto extends NonResponderQueryDto {
  @ApiProperty({
    type: [String],
    description: 'people of the list (same period, min and drill) to put on the problem list',
  })
  @IsArray({ message: 'personIds 须为数组 (personIds: an array)' })
  @ArrayMinSize(1, { message: 'personIds 至少 1 人 (personIds: at least one)' })
  @ArrayMaxSize(500, { message: 'personIds 至多 500 人 (personIds: at most 500)' })
  @IsUUID('all', { each: true, message: 'personIds 须为 UUID (personIds: UUIDs)' })
  personIds!: string[];
}
