import { Body, Controller, Get, Param, ParseIntPipe, Put, UseGuards } from '@nestjs/common';
import { ForbiddenError } from '@app/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ResponseSpecs } from '@app/config';
import { ResponseSpecStore, SpecVersionInfo } from '@app/matching';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';

/** The response specs (一行业一措施、一乡镇一方案): read by duty officers, replaced by admins with a new version. */
@ApiTags('response-specs')
@ApiBearerAuth()
@Controller('api/v1/response-specs')
@UseGuards(ApiKeyGuard)
export class ResponseSpecsController {
  constructor(private readonly specs: ResponseSpecStore) {}

  @Get()
  @Roles('duty_officer', 'commander', 'admin')
  @ApiOperation({ summary: 'The active response specs (the newest version)' })
  async active(): Promise<ResponseSpecs> {
    return this.specs.active();
  }

  @Get('versions')
  @Roles('duty_officer', 'commander', 'admin')
  @ApiOperation({ summary: 'Every stored version, newest first, with who saved it' })
  async versions(): Promise<SpecVersionInfo[]> {
    return this.specs.versions();
  }

  @Get('versions/:version')
  @Roles('duty_officer', 'commander', 'admin')
  async version(@Param('version', ParseIntPipe) version: number): Promise<ResponseSpecs & SpecVersionInfo> {
    return this.specs.get(version);
  }

  @Put()
  @Roles('admin')
  @ApiBody({
    description: 'the whole spec document (GET /api/v1/response-specs answers the current one to start from)',
    schema: {
      type: 'object',
      example: {
        hazardSectors: {},
        hazardZoneKinds: {},
        hazardObjectTypes: {},
        levels: {},
        escalation: { steps: [['backup', 'contracting_superior'], ['same_role_up'], ['duty_officer'], ['commander']] },
        overrides: [],
        rosterRequirements: {},
      },
    },
  })
  @ApiOperation({
    summary: 'Validate and store the whole spec document as a new version; running warnings keep theirs',
  })
  async put(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<SpecVersionInfo> {
    if (caller.regionCode !== '500000') {
      // Town overrides live in the one document, so only a city-wide admin may replace it.
      throw new ForbiddenError(
        'only a city-wide admin key (region 500000) may change response specs（仅市级管理员可修改）',
      );
    }
    return this.specs.save(body, caller.name);
  }
}
