import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IncomingAlert, IncomingService } from '@app/alerts';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { PageQueryDto } from '../common/page-query.dto';
import { DismissIncomingDto } from './incoming.dto';

/**
 * 研判: alerts from feeds, sensors and integrations that TRIAGE_HOLD keeps for a duty officer of their region to
 * confirm (they call as they came), edit (into a draft) or dismiss (with a reason). Nobody is called meanwhile.
 */
@ApiTags('incoming')
@ApiBearerAuth()
@Controller('api/v1/incoming')
@UseGuards(ApiKeyGuard)
@Roles('duty_officer')
export class IncomingController {
  constructor(private readonly incoming: IncomingService) {}

  @Get()
  @ApiOperation({ summary: 'Alerts waiting for 研判 in the caller’s region, most severe and newest first' })
  async list(
    @Query() q: PageQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<{ items: IncomingAlert[]; total: number; page: number; pageSize: number }> {
    return { ...(await this.incoming.list(caller.regionCode, q.page, q.pageSize)), page: q.page, pageSize: q.pageSize };
  }

  @Post(':id/confirm')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: '确认发布: the alert goes to matching and calls as it came in' })
  @ApiResponse({ status: 409, description: 'already decided, or expired' })
  async confirm(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentCaller() caller: Caller,
  ): Promise<{ warningId: string }> {
    return this.incoming.confirm(caller, id);
  }

  @Post(':id/edit')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: '编辑: a draft with the alert’s content for the caller to edit and issue; the alert is closed',
  })
  async edit(@Param('id', ParseUUIDPipe) id: string, @CurrentCaller() caller: Caller): Promise<{ draftId: string }> {
    return this.incoming.edit(caller, id);
  }

  @Post(':id/dismiss')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: '驳回: nobody is called; the reason stays in the warning’s history' })
  async dismiss(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: DismissIncomingDto,
    @CurrentCaller() caller: Caller,
  ): Promise<{ warningId: string }> {
    return this.incoming.dismiss(caller, id, body.reason.trim());
  }
}
