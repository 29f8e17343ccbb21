import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SESSION_COOKIE } from '@app/accounts';
import { draftIdentity } from '@app/alerts';
import { maskPhone } from '@app/common';
import {
  DeskWarningsService,
  Division,
  DivisionsService,
  FeatureCollection,
  hazardReference,
  HazardReference,
  ManualCall,
  ManualCallsService,
  Page,
  PreviewSummary,
  PreviewSummaryService,
  WarningListItem,
} from '@app/desk';
import type { PreviewRecipient } from '@app/matching';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { PageQueryDto } from '../common/page-query.dto';
import {
  CallListQueryDto,
  DivisionQueryDto,
  DraftListQueryDto,
  GeoUnitsQueryDto,
  GeoWithinQueryDto,
  GeoZonesQueryDto,
  RecipientQueryDto,
  WarningListQueryDto,
} from './desk.dto';

const PREVIEW_EXAMPLE = {
  hazardType: 'rainstorm',
  colour: 'red',
  area: {
    codes: ['500230107'],
    polygons: [
      [
        [107.7, 29.9],
        [107.8, 29.9],
        [107.8, 30.0],
        [107.7, 29.9],
      ],
    ],
  },
};

/** What the duty desk (值班台) reads: warnings and drafts, a chain, its calls, the phone queue. Region-scoped, paginated. */
@ApiTags('desk')
@ApiBearerAuth()
@ApiCookieAuth(SESSION_COOKIE)
@Controller('api/v1')
@UseGuards(ApiKeyGuard)
export class DeskController {
  constructor(
    private readonly warnings: DeskWarningsService,
    private readonly manualCalls: ManualCallsService,
    private readonly previews: PreviewSummaryService,
  ) {}

  @Get('warnings')
  @Roles('duty_officer', 'commander')
  @ApiOperation({
    summary:
      'Warnings in force (tab=active) or history, filtered by hazard, level, area, state and text; { items, total, page, pageSize }',
  })
  async list(@Query() query: WarningListQueryDto, @CurrentCaller() caller: Caller): Promise<Page<WarningListItem>> {
    return this.warnings.list(query, caller.regionCode);
  }

  @Get('warnings/:id/chain')
  @Roles('duty_officer', 'commander')
  @ApiOperation({ summary: 'Every version of the warning’s chain (alert, updates, cancel), oldest first' })
  async chain(@Param('id') id: string, @CurrentCaller() caller: Caller): Promise<unknown[]> {
    return this.warnings.chain(id, caller.regionCode);
  }

  @Get('warnings/:id/calls')
  @Roles('duty_officer', 'commander')
  @ApiOperation({
    summary:
      'The warning’s calls, one page at a time: person, unit, state, deadline, answer, escalations (督办), masked number',
  })
  async calls(
    @Param('id') id: string,
    @Query() query: CallListQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<Page<Record<string, unknown>>> {
    return this.warnings.calls(id, caller.regionCode, query);
  }

  @Get('warnings/:id/escalations')
  @Roles('duty_officer', 'commander')
  @ApiOperation({
    summary: 'The warning’s escalations (督办): reason (no_ack, unreachable, cannot_comply), from whom, to whom, when',
  })
  async escalations(@Param('id') id: string, @CurrentCaller() caller: Caller): Promise<Array<Record<string, unknown>>> {
    return this.warnings.escalations(id, caller.regionCode);
  }

  @Get('officer-warnings')
  @Roles('duty_officer')
  @ApiOperation({
    summary:
      'Drafts in the caller’s region (awaiting=true: still needing a second officer’s approval); mine marks the caller’s own',
  })
  async drafts(
    @Query() query: DraftListQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<Page<Record<string, unknown>>> {
    return this.warnings.drafts(query, { regionCode: caller.regionCode, identity: draftIdentity(caller) });
  }

  @Get('calls/manual')
  @Roles('duty_officer')
  @ApiOperation({
    summary:
      'The phone queue (电话叫应): unanswered calls handed to the desk (unreachable, or silent past the deadline), red first, then the longest overdue; record answers with POST /api/v1/calls/{id}/manual-ack',
  })
  async manualQueue(@Query() query: PageQueryDto, @CurrentCaller() caller: Caller): Promise<Page<ManualCall>> {
    const page = await this.manualCalls.queue(caller.regionCode, query);
    // Whole numbers are for those who dial them; a read-only account sees them masked.
    return caller.role === 'viewer'
      ? {
          ...page,
          items: page.items.map((c) => ({
            ...c,
            phones: c.phones.map((ph) => ({ ...ph, address: maskPhone(ph.address) })),
          })),
        }
      : page;
  }

  @Post('warnings/preview/summary')
  @HttpCode(200)
  @Roles('duty_officer', 'admin')
  @ApiBody({ schema: { example: PREVIEW_EXAMPLE }, description: 'the same body as POST /api/v1/warnings/preview' })
  @ApiOperation({
    summary:
      'A preview a person reads: counts per county, town, village and tier; unreachable people and why; zones and objects; warnings of the same hazard already in force there (proposeUpdate). Nothing is written.',
  })
  async previewSummary(@Body() draft: unknown, @CurrentCaller() caller: Caller): Promise<PreviewSummary> {
    return this.previews.summary(draft, caller.regionCode);
  }

  @Post('warnings/preview/recipients')
  @HttpCode(200)
  @Roles('duty_officer', 'admin')
  @ApiBody({ schema: { example: PREVIEW_EXAMPLE }, description: 'the same body as POST /api/v1/warnings/preview' })
  @ApiOperation({ summary: 'The preview’s full recipient list, paginated and searchable (?page=&pageSize=&q=)' })
  async previewRecipients(
    @Body() draft: unknown,
    @Query() query: RecipientQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<Page<PreviewRecipient>> {
    return this.previews.recipients(draft, caller.regionCode, query);
  }
}

/** Reference data and our own map layers: the division tree, boundaries and risk zones as GeoJSON, hazards × levels. */
@ApiTags('desk')
@ApiBearerAuth()
@ApiCookieAuth(SESSION_COOKIE)
@Controller('api/v1')
@UseGuards(ApiKeyGuard)
@Roles('duty_officer', 'commander', 'roster_admin')
export class DeskReferenceController {
  constructor(private readonly divisions: DivisionsService) {}

  @Get('divisions')
  @ApiOperation({
    summary:
      'The division tree within the caller’s region: ?parent=<code> for children, ?q=<name> to search (区县 → 乡镇 → 村)',
  })
  async tree(@Query() query: DivisionQueryDto, @CurrentCaller() caller: Caller): Promise<Division[]> {
    return query.q !== undefined
      ? this.divisions.search(query.q, caller.regionCode)
      : this.divisions.children(query.parent, caller.regionCode);
  }

  @Get('geo/units')
  @ApiOperation({
    summary: 'County, town or village boundaries within a code, simplified for display, as a GeoJSON FeatureCollection',
  })
  async units(@Query() query: GeoUnitsQueryDto, @CurrentCaller() caller: Caller): Promise<FeatureCollection> {
    return this.divisions.unitsGeoJson(query.level, query.within, caller.regionCode);
  }

  @Get('geo/zones')
  @ApiOperation({
    summary: 'Risk zones (危险区) within a code, optionally of one hazard, as a GeoJSON FeatureCollection',
  })
  async zones(@Query() query: GeoZonesQueryDto, @CurrentCaller() caller: Caller): Promise<FeatureCollection> {
    return this.divisions.zonesGeoJson(query.within, caller.regionCode, query.hazard);
  }

  @Get('geo/facilities')
  @ApiOperation({
    summary: 'Loudspeakers (应急广播) and shelters (避险安置点) within a code, as GeoJSON points (properties.kind)',
  })
  async facilities(@Query() query: GeoWithinQueryDto, @CurrentCaller() caller: Caller): Promise<FeatureCollection> {
    return this.divisions.facilitiesGeoJson(query.within, caller.regionCode);
  }

  @Get('reference/hazards')
  @ApiOperation({ summary: 'Hazards × levels in Chinese for the issue form: names, colours (hex) and template text' })
  hazards(): HazardReference[] {
    return hazardReference();
  }
}
