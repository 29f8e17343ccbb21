import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WarningDetail, WarningQueryService } from '@app/alerts';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';

@ApiTags('warnings')
@ApiBearerAuth()
@Controller('api/v1/warnings')
@UseGuards(ApiKeyGuard)
export class WarningsController {
  constructor(private readonly warnings: WarningQueryService) {}

  @Get(':id')
  @Roles('duty_officer', 'commander')
  @ApiOperation({ summary: 'A warning with every call task’s state and the timeline of events (region-scoped)' })
  async get(@Param('id') id: string, @CurrentCaller() caller: Caller): Promise<WarningDetail> {
    return this.warnings.detail(id, caller.regionCode);
  }
}
