import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FeedSourceState, SourceAlarmView, WarningQueryService } from '@app/alerts';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';

@ApiTags('feeds')
@ApiBearerAuth()
@Controller('api/v1/feeds')
@UseGuards(ApiKeyGuard)
export class FeedsController {
  constructor(private readonly warnings: WarningQueryService) {}

  @Get()
  @Roles('duty_officer', 'commander')
  @ApiOperation({
    summary: 'CAP feeds: polling state and open heartbeat alarms (预警源静默告警) of the caller’s region',
  })
  async board(@CurrentCaller() caller: Caller): Promise<{ sources: FeedSourceState[]; alarms: SourceAlarmView[] }> {
    return this.warnings.feedBoard(caller.regionCode);
  }
}
