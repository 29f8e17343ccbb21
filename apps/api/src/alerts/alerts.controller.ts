import { Body, Controller, Headers, HttpStatus, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AlertIngestService, IngestResult, NormalizedAlert, capFromJson, parseCap, rawCapText } from '@app/alerts';
import { Clock, UnsupportedMediaTypeError, ValidationError } from '@app/common';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';

const XML_TYPES = ['application/cap+xml', 'application/xml', 'text/xml'];

/** Machine ingest of CAP alerts (XML or the same content as JSON). 202 when new, 200 when already known. */
@ApiTags('alerts')
@ApiBearerAuth()
@Controller('api/v1/alerts')
@UseGuards(ApiKeyGuard)
export class AlertsController {
  constructor(
    private readonly ingest: AlertIngestService,
    private readonly clock: Clock,
  ) {}

  @Post()
  @Roles('ingest', 'duty_officer')
  @ApiOperation({ summary: 'Ingest a CAP 1.2 alert (CAP 1.1 accepted where it maps cleanly)' })
  @ApiConsumes(...XML_TYPES, 'application/json')
  @ApiBody({ description: 'CAP XML, or the same fields as JSON', schema: { type: 'string' } })
  @ApiResponse({ status: 202, description: 'accepted: { id, chainId, version, outcome, drill }' })
  @ApiResponse({ status: 200, description: 'the same sender+identifier+sent was already received' })
  @ApiResponse({ status: 400, description: 'names the field and the problem' })
  async post(
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) res: Response,
  ): Promise<IngestResult> {
    const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
    let alert: NormalizedAlert;
    let raw: string;
    if (XML_TYPES.includes(type)) {
      if (!Buffer.isBuffer(body) || body.length === 0) {
        throw new ValidationError('empty body: send the CAP XML document（请求体为空）', {
          field: 'body',
          problem: 'empty',
        });
      }
      alert = await parseCap(body, { now: this.clock.now() });
      raw = rawCapText(body);
    } else if (type === 'application/json') {
      alert = capFromJson(body, { now: this.clock.now() });
      raw = JSON.stringify(body);
    } else {
      throw new UnsupportedMediaTypeError(
        `Content-Type must be one of ${[...XML_TYPES, 'application/json'].join(', ')}（不支持的内容类型）`,
      );
    }
    const result = await this.ingest.ingest(alert, { source: 'cap', actor: caller.actor, raw });
    res.status(result.outcome === 'duplicate' ? HttpStatus.OK : HttpStatus.ACCEPTED);
    return result;
  }
}
