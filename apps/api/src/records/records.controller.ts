import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ValidationError } from '@app/common';
import { EventChain, type IssueState } from '@app/database';
import { ClosureService, PerformanceLog } from '@app/response';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';

const STATES: IssueState[] = ['open', 'rectifying', 'verified', 'closed'];

export class IssueTransitionDto {
  @ApiProperty({ enum: STATES }) @IsIn(STATES) to!: IssueState;
  @ApiProperty({ required: false, maxLength: 500 }) @IsOptional() @IsString() @MaxLength(500) note?: string;
}

/** 问题清单 and 履职记录 (region-scoped), and the integrity of the event log they rest on. */
@ApiTags('records')
@ApiBearerAuth()
@Controller('api/v1')
@UseGuards(ApiKeyGuard)
export class RecordsController {
  constructor(
    private readonly closure: ClosureService,
    private readonly performance: PerformanceLog,
    private readonly chain: EventChain,
  ) {}

  @Get('issues')
  @Roles('duty_officer', 'commander')
  @ApiQuery({ name: 'state', required: false, enum: STATES })
  @ApiOperation({ summary: 'Problem list items in the caller region' })
  async issues(@CurrentCaller() caller: Caller, @Query('state') state?: string) {
    if (state !== undefined && !STATES.includes(state as IssueState)) {
      throw new ValidationError(`state must be one of ${STATES.join(', ')}`);
    }
    return this.closure.listIssues(caller.regionCode, state);
  }

  @Post('issues/:id/transition')
  @HttpCode(200)
  @Roles('duty_officer', 'commander')
  @ApiOperation({ summary: 'Move an item: open → rectifying → verified → closed (销号); back one step when rejected' })
  async move(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: IssueTransitionDto,
    @CurrentCaller() caller: Caller,
  ) {
    return this.closure.moveIssue(id, body.to, caller.regionCode, caller.actor, body.note ?? null);
  }

  @Get('performance-records')
  @Roles('duty_officer', 'commander')
  @ApiQuery({ name: 'warningId', required: false })
  @ApiQuery({ name: 'personId', required: false })
  @ApiOperation({ summary: 'Duty-performance records (履职记录) of people in the caller region' })
  async records(
    @CurrentCaller() caller: Caller,
    @Query('warningId') warningId?: string,
    @Query('personId') personId?: string,
  ) {
    for (const id of [warningId, personId]) {
      if (id !== undefined && !/^[0-9a-f-]{36}$/i.test(id)) {
        throw new ValidationError('warningId and personId must be UUIDs');
      }
    }
    return this.performance.list(caller.regionCode, { warningId, personId });
  }

  @Get('event-log/integrity')
  @Roles('commander', 'admin')
  @ApiOperation({
    summary:
      'Re-checks the sealed event log (hash chain): how many events are sealed, whether every link holds, the first that does not',
  })
  async integrity() {
    return this.chain.verify();
  }
}
