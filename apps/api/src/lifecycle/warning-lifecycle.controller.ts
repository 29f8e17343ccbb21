import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { UnmatchedWarnings } from '@app/calls';
import { ClosureReport, ClosureService, WarningLifecycle } from '@app/response';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';

export class LiftDto {
  @ApiProperty({ required: false, maxLength: 500, description: '解除理由' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

/** 解除 and 闭环 of a warning chain by a duty officer (region-checked, audited in the event log). */
@ApiTags('warnings')
@ApiBearerAuth()
@Controller('api/v1/warnings')
@UseGuards(ApiKeyGuard)
export class WarningLifecycleController {
  constructor(
    private readonly lifecycle: WarningLifecycle,
    private readonly closure: ClosureService,
    private readonly unmatched: UnmatchedWarnings,
  ) {}

  @Post(':id/unmatched/dismiss')
  @HttpCode(200)
  @Roles('duty_officer', 'commander', 'admin')
  @ApiOperation({
    summary: 'Dismiss the 无匹配对象 flag of a warning that called nobody, once checked (audited: who, when, note)',
  })
  async dismissUnmatched(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: LiftDto,
    @CurrentCaller() caller: Caller,
  ) {
    return this.unmatched.dismiss(id, caller.regionCode, `api-key:${caller.name}`, body.note ?? null);
  }

  @Post(':id/lift')
  @HttpCode(200)
  @Roles('duty_officer')
  @ApiOperation({
    summary: 'Lift the warning: stops every pending call, message and timer at once, then sends the 解除 notice',
  })
  async lift(@Param('id', ParseUUIDPipe) id: string, @Body() body: LiftDto, @CurrentCaller() caller: Caller) {
    return this.lifecycle.liftByOfficer(id, caller.regionCode, caller.actor, body.note ?? null);
  }

  @Post(':id/close')
  @HttpCode(200)
  @Roles('duty_officer')
  @ApiOperation({
    summary: 'Close a lifted chain: needs orders lifted and returns authorised; writes the problem list',
  })
  async close(@Param('id', ParseUUIDPipe) id: string, @CurrentCaller() caller: Caller): Promise<ClosureReport> {
    return this.closure.close(id, caller.regionCode, caller.actor);
  }
}
