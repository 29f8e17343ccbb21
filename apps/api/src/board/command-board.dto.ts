import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { COUNTER_NAMES, CounterName } from '@app/desk';
import { PageQueryDto } from '../common/page-query.dto';

const UUID_MESSAGE = { message: 'warningId 须为预警 id (warningId: a warning id)' };
const UNIT = /^\d{6}(\d{3}(\d{3})?)?$/;
const UNIT_MESSAGE = { message: 'unit 须为 6、9 或 12 位区划代码 (unit: a 6, 9 or 12 digit division code)' };

export class BoardQueryDto {
  @ApiProperty({
    required: false,
    description: 'one warning; left out: every warning being tracked in the caller’s region',
  })
  @IsOptional()
  @IsUUID('all', UUID_MESSAGE)
  warningId?: string;
}

export class BoardPeopleQueryDto extends PageQueryDto {
  @ApiProperty({ required: false })
  @IsOptional()
  @IsUUID('all', UUID_MESSAGE)
  warningId?: string;

  @ApiProperty({
    example: '500230107',
    description: 'a county, town or village: its people and those of the units under it',
  })
  @Matches(UNIT, UNIT_MESSAGE)
  unit!: string;

  @ApiProperty({ required: false, enum: COUNTER_NAMES, description: 'only the people one counter counts' })
  @IsOptional()
  @IsIn(COUNTER_NAMES, { message: `filter 须为 ${COUNTER_NAMES.join('、')} 之一 (filter: one of the counters)` })
  filter?: CounterName;
}

export class UnitActionDto {
  @ApiProperty({ required: false, description: 'one warning; left out: every warning being tracked' })
  @IsOptional()
  @IsUUID('all', UUID_MESSAGE)
  warningId?: string;
}

export class UnitParamDto {
  @ApiProperty({ example: '500230107' })
  @Matches(UNIT, UNIT_MESSAGE)
  code!: string;
}
