import { Body, Controller, HttpStatus, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ReadingResult, ReadingsService } from '@app/alerts';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { FireRatingDto, ReadingDto } from './readings.dto';

/** Sensor input: station readings and daily forest-fire danger ratings; thresholds raise or upgrade warnings. */
@ApiTags('readings')
@ApiBearerAuth()
@Controller('api/v1')
@UseGuards(ApiKeyGuard)
@Roles('ingest')
export class ReadingsController {
  constructor(private readonly readings: ReadingsService) {}

  @Post('readings')
  @ApiOperation({ summary: 'A water level and/or rainfall reading of a station (river, reservoir, rain gauge)' })
  @ApiResponse({
    status: 202,
    description: 'stored: { readingId, rainfall, level, rain } with the warning action taken',
  })
  @ApiResponse({ status: 200, description: 'the same station and time was already stored' })
  async reading(
    @Body() dto: ReadingDto,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ReadingResult> {
    const result = await this.readings.record({ ...dto, at: new Date(dto.at) }, caller);
    res.status(result.duplicate ? HttpStatus.OK : HttpStatus.ACCEPTED);
    return result;
  }

  @Post('fire-danger-ratings')
  @ApiOperation({
    summary: 'The daily forest-fire danger rating (1–5) of an area; 3/4/5 → yellow/orange/red by config',
  })
  async fireRating(
    @Body() dto: FireRatingDto,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.readings.recordFireRating(dto, caller);
    res.status(HttpStatus.ACCEPTED);
    return result;
  }
}
