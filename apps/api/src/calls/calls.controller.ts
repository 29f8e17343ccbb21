import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AckResult, AckService, ResidentConfirmations, ResidentStatus } from '@app/response';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { ManualAckDto, ResidentConfirmDto } from './calls.dto';

/** The duty officer's side of a call: an answer taken by phone (电话叫应), and one-to-one confirmations per resident. */
@ApiTags('calls')
@ApiBearerAuth()
@Controller('api/v1/calls')
@UseGuards(ApiKeyGuard)
export class CallsController {
  constructor(
    private readonly acks: AckService,
    private readonly residents: ResidentConfirmations,
  ) {}

  @Post(':id/manual-ack')
  @HttpCode(200)
  @Roles('duty_officer')
  @ApiOperation({ summary: 'Record an answer taken by phone, with a note (region-checked; late if already escalated)' })
  async manualAck(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ManualAckDto,
    @CurrentCaller() caller: Caller,
  ): Promise<AckResult> {
    const personId = await this.acks.personOfTask(id, caller.regionCode);
    return this.acks.acknowledge(id, personId, body, 'manual', caller.actor);
  }

  @Post(':id/residents/:residentId')
  @HttpCode(200)
  @Roles('duty_officer')
  @ApiOperation({
    summary: 'One-to-one confirmation for one vulnerable resident (已当面告知 / 已安排转移) taken by phone',
  })
  async confirmResident(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('residentId', ParseUUIDPipe) residentId: string,
    @Body() body: ResidentConfirmDto,
    @CurrentCaller() caller: Caller,
  ): Promise<ResidentStatus[]> {
    await this.acks.personOfTask(id, caller.regionCode);
    return this.residents.confirm(id, null, residentId, body, 'manual', caller.actor);
  }
}
