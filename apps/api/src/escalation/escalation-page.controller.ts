import { Body, Controller, Get, Header, Param, Post, Query, Redirect } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Clock } from '@app/common';
import { EscalationNotices } from '@app/calls';
import { EscalationFormDto } from './escalation-form.dto';
import { escalationFlash, renderEscalationPage } from './escalation-page';

/**
 * The page a 督办 links to. GET only shows (opening is recorded, never an answer); each answer is a POST, then
 * 303 back to the page (redirect-after-post).
 */
@ApiExcludeController()
@Controller('escalation')
export class EscalationPageController {
  constructor(
    private readonly notices: EscalationNotices,
    private readonly clock: Clock,
  ) {}

  @Get(':token')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  async page(@Param('token') token: string, @Query('r') r?: string): Promise<string> {
    return renderEscalationPage(await this.notices.view(token), token, escalationFlash(r), this.clock.now());
  }

  @Post(':token')
  @Redirect()
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  async submit(
    @Param('token') token: string,
    @Body() form: EscalationFormDto,
  ): Promise<{ url: string; statusCode: number }> {
    const result = await this.notices.answerByToken(token, form);
    return {
      url: `/escalation/${encodeURIComponent(token)}?r=${result.already ? 'already' : 'recorded'}`,
      statusCode: 303,
    };
  }
}
