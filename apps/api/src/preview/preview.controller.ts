import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WarningPreview, WarningPreviewService } from '@app/matching';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';

@ApiTags('warnings')
@ApiBearerAuth()
@Controller('api/v1/warnings/preview')
@UseGuards(ApiKeyGuard)
export class PreviewController {
  constructor(private readonly previews: WarningPreviewService) {}

  @Post()
  @HttpCode(200)
  @Roles('duty_officer', 'admin')
  @ApiOperation({
    summary:
      'Who a draft warning would call: reasons, tier, channel ladder, deadline, escalation path, counts per town and village, unreachable people. Nothing is written or sent.',
  })
  @ApiBody({
    schema: {
      example: {
        hazardType: 'rainstorm',
        level: 1,
        area: {
          polygons: [
            [
              [107.7, 29.9],
              [107.8, 29.9],
              [107.8, 30.0],
              [107.7, 29.9],
            ],
          ],
          circles: [{ lon: 107.75, lat: 29.95, radiusKm: 3 }],
          codes: ['500230107'],
        },
      },
    },
  })
  async preview(@Body() draft: unknown, @CurrentCaller() caller: Caller): Promise<WarningPreview> {
    return this.previews.preview(draft, { regionCode: caller.regionCode });
  }
}
