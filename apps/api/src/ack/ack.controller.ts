import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Query, Redirect } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EscalationNotices } from '@app/calls';
import { AckResult, AckService, ResidentConfirmations, ResidentStatus } from '@app/response';
import { ResidentConfirmDto } from '../calls/calls.dto';
import { AckFormDto, ResidentFormDto } from './ack-form.dto';
import { ackFlash, flashOf, renderAckPage, renderResidentsDone } from './ack-page';

/**
 * The public side: the link page a responsible person opens on a phone, and the JSON twin for apps.
 * GET only shows (link scanners and previews never answer); every answer is a POST.
 */
@ApiTags('acknowledgements')
@Controller()
export class AckController {
  constructor(
    private readonly acks: AckService,
    private readonly residents: ResidentConfirmations,
    private readonly escalationNotices: EscalationNotices,
  ) {}

  @Get('ack/:token')
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  async page(@Param('token') token: string, @Query('r') r?: string): Promise<string> {
    const view = await this.acks.view(token);
    const escalations = await this.escalationNotices.linksForCall(view.callTaskId);
    return renderAckPage(view, token, await this.residents.list(view.callTaskId), ackFlash(r), escalations);
  }

  /** Redirect-after-post: the answer, then 303 back to the page, which shows it as recorded; a reload never re-posts. */
  @Post('ack/:token')
  @ApiExcludeEndpoint()
  @Redirect()
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  async submit(@Param('token') token: string, @Body() form: AckFormDto): Promise<{ url: string; statusCode: number }> {
    const result = await this.acks.acknowledgeByToken(token, form);
    return { url: `/ack/${encodeURIComponent(token)}?r=${flashOf(result)}`, statusCode: 303 };
  }

  @Post('ack/:token/residents/:residentId')
  @ApiExcludeEndpoint()
  @HttpCode(200)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  async confirmResident(
    @Param('token') token: string,
    @Param('residentId', ParseUUIDPipe) residentId: string,
    @Body() form: ResidentFormDto,
  ): Promise<string> {
    const input = {
      informed: form.step === 'informed',
      evacuationArranged: form.step === 'evacuation_arranged',
      note: form.note,
    };
    return renderResidentsDone(await this.residents.confirmByToken(token, residentId, input), token);
  }

  @Post('api/v1/ack/:token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Answer a call with the token from its link (same rules as the page)' })
  async submitJson(@Param('token') token: string, @Body() form: AckFormDto): Promise<AckResult> {
    return this.acks.acknowledgeByToken(token, form);
  }

  @Post('api/v1/ack/:token/residents/:residentId')
  @HttpCode(200)
  @ApiOperation({
    summary: 'One-to-one confirmation of one vulnerable resident (已当面告知 / 已安排转移) with the link token',
  })
  async confirmResidentJson(
    @Param('token') token: string,
    @Param('residentId', ParseUUIDPipe) residentId: string,
    @Body() body: ResidentConfirmDto,
  ): Promise<ResidentStatus[]> {
    return this.residents.confirmByToken(token, residentId, body);
  }
}
