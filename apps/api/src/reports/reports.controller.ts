import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { SESSION_COOKIE } from '@app/accounts';
import { Clock, ValidationError } from '@app/common';
import {
  AckReportRow,
  AckReportService,
  NonResponder,
  NonRespondersService,
  ReviewService,
  WarningReview,
} from '@app/desk';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { AckReportQueryDto, NonResponderQueryDto, RaiseIssuesDto, ReportPeriodDto } from './reports.dto';

const DAY_MS = 86_400_000;

function attach(res: Response, file: { filename: string; bytes: Buffer }): void {
  res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
  res.send(file.bytes);
}

/** 统计与复盘: 叫应率 and time to answer by dimension over a period; a warning's after-action workbook. Region-scoped. */
@ApiTags('reports')
@ApiBearerAuth()
@ApiCookieAuth(SESSION_COOKIE)
@Controller('api/v1/reports')
@UseGuards(ApiKeyGuard)
@Roles('commander', 'duty_officer')
export class ReportsController {
  constructor(
    private readonly acks: AckReportService,
    private readonly reviews: ReviewService,
    private readonly nonResponders: NonRespondersService,
    private readonly clock: Clock,
  ) {}

  private period(q: ReportPeriodDto): { from: Date; to: Date } {
    const to = q.to ? new Date(q.to) : this.clock.now();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (from.getTime() >= to.getTime()) {
      throw new ValidationError('from 须早于 to (from must be before to)', { field: 'from' });
    }
    return { from, to };
  }

  @Get('ack')
  @ApiOperation({
    summary:
      '叫应率 and time to answer (median, p90 seconds) by level, hazard, county, town, sector, role or day, of warnings sent in [from, to); drills apart',
  })
  async ack(@Query() q: AckReportQueryDto, @CurrentCaller() caller: Caller): Promise<AckReportRow[]> {
    return this.acks.report(caller.regionCode, { by: q.by, ...this.period(q), drill: q.drill });
  }

  @Get('non-responders')
  @ApiOperation({
    summary:
      '未应答与屡次未应答: people who let at least `min` warnings of [from, to) go unanswered (default 2), with their 问题清单 items',
  })
  async listNonResponders(@Query() q: NonResponderQueryDto, @CurrentCaller() caller: Caller): Promise<NonResponder[]> {
    return this.nonResponders.list(caller.regionCode, { ...this.period(q), min: q.min, drill: q.drill });
  }

  @Post('non-responders/issues')
  @HttpCode(200)
  @Roles('commander')
  @ApiOperation({
    summary:
      'Puts people of that list on the problem list (待整改), one open item each; states move by POST /api/v1/issues/{id}/transition',
  })
  async raiseIssues(
    @Body() body: RaiseIssuesDto,
    @CurrentCaller() caller: Caller,
  ): Promise<{ created: string[]; existing: string[] }> {
    return this.nonResponders.raiseIssues(
      caller.regionCode,
      body.personIds,
      { ...this.period(body), min: body.min, drill: body.drill },
      caller.actor,
    );
  }

  @Get('warnings/:id/review.pdf')
  @Header('Content-Type', 'application/pdf')
  @ApiOperation({
    summary: '复盘 as a PDF (A4, Chinese font embedded), the same content as the printable page; 503 without the font',
  })
  async reviewPdf(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentCaller() caller: Caller,
    @Res() res: Response,
  ): Promise<void> {
    attach(res, await this.reviews.pdf(id, caller.regionCode));
  }

  @Get('warnings/:id/review')
  @ApiOperation({
    summary:
      '复盘 as data, for the printable page: summary, units silent longest, every call, message, escalation and 督办',
  })
  async reviewData(@Param('id', ParseUUIDPipe) id: string, @CurrentCaller() caller: Caller): Promise<WarningReview> {
    return this.reviews.review(id, caller.regionCode);
  }

  @Get('warnings/:id/review.xlsx')
  @Header('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOperation({
    summary: '复盘: the warning’s after-action workbook (summary, calls, messages, escalations, 督办), numbers masked',
  })
  async review(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentCaller() caller: Caller,
    @Res() res: Response,
  ): Promise<void> {
    attach(res, await this.reviews.workbook(id, caller.regionCode));
  }
}
