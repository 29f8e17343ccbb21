import { Body, Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AckResult, AckService } from '@app/response';
import { AckFormDto } from './ack-form.dto';
import { renderAckDone, renderAckPage } from './ack-page';

/** The public side: the link page a responsible person opens on a phone, and the JSON twin for apps. */
@ApiTags('acknowledgements')
@Controller()
export class AckController {
  constructor(private readonly acks: AckService) {}

  @Get('ack/:token')
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  async page(@Param('token') token: string): Promise<string> {
    return renderAckPage(await this.acks.view(token), token);
  }

  @Post('ack/:token')
  @ApiExcludeEndpoint()
  @HttpCode(200)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  async submit(@Param('token') token: string, @Body() form: AckFormDto): Promise<string> {
    return renderAckDone(await this.acks.acknowledgeByToken(token, form));
  }

  @Post('api/v1/ack/:token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Answer a call with the token from its link (same rules as the page)' })
  async submitJson(@Param('token') token: string, @Body() form: AckFormDto): Promise<AckResult> {
    return this.acks.acknowledgeByToken(token, form);
  }
}
