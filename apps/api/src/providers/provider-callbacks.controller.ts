import { Body, Controller, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Clock, UnauthorizedError } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { callbackAuthentic, CarrierCallbacks } from '@app/delivery';
import type { Request } from 'express';
import type { RawBodyRequest } from '../body-parsers';

/**
 * Callbacks from SMS and voice providers (and their simulator): delivery receipts, call results with keypresses,
 * handset replies. Unsigned or forged calls get 401 and change nothing. Answers are in each provider's format.
 */
@ApiTags('providers')
@Controller('providers')
export class ProviderCallbacksController {
  constructor(
    private readonly callbacks: CarrierCallbacks,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('alibaba/sms-report')
  @HttpCode(200)
  @ApiOperation({ summary: 'Alibaba Cloud SmsReport push (delivery receipts)' })
  async alibabaSmsReport(@Req() req: Request, @Body() body: unknown, @Query('token') token?: string) {
    this.authenticate(req, token);
    await this.callbacks.alibabaSmsReport(body);
    return { code: 0, msg: '成功' };
  }

  @Post('alibaba/sms-up')
  @HttpCode(200)
  @ApiOperation({ summary: 'Alibaba Cloud SmsUp push (replies: "1" or the link code acknowledges)' })
  async alibabaSmsUp(@Req() req: Request, @Body() body: unknown, @Query('token') token?: string) {
    this.authenticate(req, token);
    await this.callbacks.alibabaSmsUp(body);
    return { code: 0, msg: '成功' };
  }

  @Post('alibaba/voice-report')
  @HttpCode(200)
  @ApiOperation({ summary: 'Alibaba Cloud VoiceReport push (call results; keypress 1 acknowledges)' })
  async alibabaVoiceReport(@Req() req: Request, @Body() body: unknown, @Query('token') token?: string) {
    this.authenticate(req, token);
    await this.callbacks.alibabaVoiceReport(body);
    return { code: 0, msg: '成功' };
  }

  @Post('tencent/voice')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Tencent Cloud VMS event callback (voiceprompt_callback call results, voicekey_callback: keypress 1 acknowledges, voice_failure_callback)',
  })
  async tencentVoice(@Req() req: Request, @Body() body: unknown, @Query('token') token?: string) {
    this.authenticate(req, token);
    await this.callbacks.tencentVoice(body);
    return { result: 0, errmsg: 'OK' };
  }

  @Post('tencent/sms-status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Tencent Cloud SMS status callback (delivery receipts)' })
  async tencentSmsStatus(@Req() req: Request, @Body() body: unknown, @Query('token') token?: string) {
    this.authenticate(req, token);
    await this.callbacks.tencentSmsStatus(body);
    return { result: 0, errmsg: 'OK' };
  }

  @Post('tencent/sms-reply')
  @HttpCode(200)
  @ApiOperation({ summary: 'Tencent Cloud SMS reply callback' })
  async tencentSmsReply(@Req() req: Request, @Body() body: unknown, @Query('token') token?: string) {
    this.authenticate(req, token);
    await this.callbacks.tencentSmsReply(body);
    return { result: 0, errmsg: 'OK' };
  }

  private authenticate(req: Request, token: string | undefined): void {
    const raw = (req as unknown as RawBodyRequest).rawBody?.toString('utf8') ?? '';
    const nowS = Math.floor(this.clock.now().getTime() / 1000);
    if (!callbackAuthentic(this.config.delivery.callbackSecret, req.headers, raw, token, nowS)) {
      throw new UnauthorizedError('callback signature missing, wrong or stale（回调签名无效）');
    }
  }
}
