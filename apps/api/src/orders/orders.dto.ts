import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { ORDER_MEASURES, OrderMeasure } from '@app/database';

export class OrderTargetDto {
  @ApiProperty({ description: '执行单位责任人 person id' })
  @IsUUID()
  personId!: string;

  @ApiProperty({ description: '执行单位名称，如 十直镇中心小学' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  unitName!: string;
}

export class IssueOrderDto {
  @ApiProperty({ enum: ORDER_MEASURES })
  @IsIn(ORDER_MEASURES)
  measure!: OrderMeasure;

  @ApiProperty({ maxLength: 200 })
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  title!: string;

  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  instruction?: string;

  @ApiProperty({ required: false })
  @IsOptional()
  @IsUUID()
  warningId?: string;

  @ApiProperty({ description: 'Admin unit code the order covers (inside the caller region)' })
  @Matches(/^\d{6}(\d{3}(\d{3})?)?$/)
  regionCode!: string;

  @ApiProperty({ description: 'Minutes to acknowledge (TIMER_SCALE applies)', minimum: 0.01 })
  @IsNumber()
  @Min(0.01)
  @Max(24 * 60)
  ackDeadlineMin!: number;

  @ApiProperty({ description: 'Minutes to report execution (TIMER_SCALE applies)', minimum: 0.01 })
  @IsNumber()
  @Min(0.01)
  @Max(7 * 24 * 60)
  executeDeadlineMin!: number;

  @ApiProperty({ type: [OrderTargetDto] })
  @ValidateNested({ each: true })
  @Type(() => OrderTargetDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  targets!: OrderTargetDto[];
}

export class LiftOrderDto {
  @ApiProperty({ required: false, maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class OrderResponseDto {
  @ApiProperty({ enum: ['acknowledge', 'execute', 'lift_acknowledge'] })
  @IsIn(['acknowledge', 'execute', 'lift_acknowledge'])
  action!: 'acknowledge' | 'execute' | 'lift_acknowledge';

  @ApiProperty({ required: false, maxLength: 500, description: '执行情况说明' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;

  @ApiProperty({ required: false, description: '现场照片链接' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false })
  @MaxLength(500)
  photoUrl?: string;
}
