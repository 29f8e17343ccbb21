import { Body, Controller, Get, HttpCode, HttpStatus, Param, Patch, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DraftView, IngestResult, OfficerWarningService } from '@app/alerts';
import { WarningPreview, WarningPreviewService } from '@app/matching';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { OfficerWarningDto, ReturnDraftDto } from './officer-warning.dto';

/**
 * Warnings written by duty officers: draft → preview (who would be called) → approve (a second officer, when the
 * two-person rule applies) → issue; an update draft (`updates`) upgrades, downgrades or re-areas an issued warning.
 * Lifting is POST /api/v1/warnings/:id/lift. Every action is audited with the officer's key name.
 */
@ApiTags('officer-warnings')
@ApiBearerAuth()
@Controller('api/v1/officer-warnings')
@UseGuards(ApiKeyGuard)
@Roles('duty_officer')
export class OfficerWarningsController {
  constructor(
    private readonly officerWarnings: OfficerWarningService,
    private readonly previews: WarningPreviewService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Draft a warning (or, with `updates`, an upgrade/downgrade/area change of an issued one)' })
  @ApiResponse({ status: 201, description: 'the draft, with approvalsRequired' })
  @ApiResponse({ status: 403, description: 'an area code outside the officer’s region' })
  async create(@Body() dto: OfficerWarningDto, @CurrentCaller() caller: Caller): Promise<DraftView> {
    return this.officerWarnings.create(caller, dto);
  }

  @Get(':id')
  async get(@Param('id') id: string, @CurrentCaller() caller: Caller): Promise<DraftView> {
    return this.officerWarnings.get(caller, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Edit a draft; approvals given so far are cleared' })
  async edit(
    @Param('id') id: string,
    @Body() dto: OfficerWarningDto,
    @CurrentCaller() caller: Caller,
  ): Promise<DraftView> {
    return this.officerWarnings.edit(caller, id, dto);
  }

  @Post(':id/preview')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Who this draft would call, by tier, town and village (nothing is sent)' })
  async preview(
    @Param('id') id: string,
    @CurrentCaller() caller: Caller,
  ): Promise<{ draft: DraftView; preview: WarningPreview }> {
    const draft = await this.officerWarnings.get(caller, id);
    const c = draft.content;
    const preview = await this.previews.preview(
      {
        hazardType: c.hazardType,
        colour: c.colour,
        area: { codes: c.areaCodes, polygons: c.polygon ? [c.polygon] : [] },
      },
      { regionCode: caller.regionCode },
    );
    await this.officerWarnings.notePreview(caller, draft, preview.counts.total);
    return { draft, preview };
  }

  @Post(':id/approve')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Approve a draft (must be a different duty officer from its author)' })
  async approve(@Param('id') id: string, @CurrentCaller() caller: Caller): Promise<DraftView> {
    return this.officerWarnings.approve(caller, id);
  }

  @Post(':id/return')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Send a draft back to its author with a comment (a different officer; approvals are cleared)',
  })
  async giveBack(
    @Param('id') id: string,
    @Body() body: ReturnDraftDto,
    @CurrentCaller() caller: Caller,
  ): Promise<DraftView> {
    return this.officerWarnings.giveBack(caller, id, body.comment.trim());
  }

  @Post(':id/issue')
  @ApiOperation({ summary: 'Issue the draft through the same ingest path as CAP (source officer)' })
  @ApiResponse({ status: 202, description: 'issued: { id, chainId, version, outcome, drill, draftId }' })
  @ApiResponse({ status: 200, description: 'already issued: the same warning' })
  @ApiResponse({ status: 409, description: 'waiting for a second officer’s approval' })
  async issue(
    @Param('id') id: string,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) res: Response,
  ): Promise<IngestResult & { draftId: string; alreadyIssued: boolean }> {
    const result = await this.officerWarnings.issue(caller, id);
    res.status(result.alreadyIssued ? HttpStatus.OK : HttpStatus.ACCEPTED);
    return result;
  }
}
