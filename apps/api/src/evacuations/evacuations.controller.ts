import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';
import { EvacuationService, ZoneProgress } from '@app/response';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';

export class StartEvacuationDto {
  @ApiProperty() @IsUUID() warningId!: string;
  @ApiProperty() @IsUUID() riskZoneId!: string;
  @ApiProperty({ required: false, description: '转到哪' }) @IsOptional() @IsUUID() shelterId?: string;
  @ApiProperty({ required: false, description: '谁组织' }) @IsOptional() @IsUUID() organiserPersonId?: string;
}

export class EvacuationReportDto {
  @ApiProperty({ required: false }) @IsOptional() @IsUUID() shelterId?: string;
  @ApiProperty({ minimum: 0, description: '本次转移户数（增量）' }) @IsInt() @Min(0) households!: number;
  @ApiProperty({ minimum: 0, description: '本次转移人数（增量）' }) @IsInt() @Min(0) persons!: number;
  @ApiProperty({ required: false, maxLength: 200 }) @IsOptional() @IsString() @MaxLength(200) note?: string;
}

/** Evacuation per risk zone: planned against moved, per shelter; return only on explicit authorisation after lift. */
@ApiTags('evacuations')
@ApiBearerAuth()
@Controller('api/v1/evacuations')
@UseGuards(ApiKeyGuard)
export class EvacuationsController {
  constructor(private readonly evacuations: EvacuationService) {}

  @Post()
  @Roles('duty_officer', 'commander')
  @ApiOperation({ summary: 'Start (or return the existing) evacuation of a risk zone under a warning chain' })
  async start(@Body() body: StartEvacuationDto, @CurrentCaller() caller: Caller) {
    return this.evacuations.start(body, caller.regionCode, caller.actor);
  }

  @Get()
  @Roles('duty_officer', 'commander')
  @ApiOperation({ summary: 'Progress per zone and shelter in the caller region' })
  async list(@CurrentCaller() caller: Caller): Promise<ZoneProgress[]> {
    return this.evacuations.progress(caller.regionCode);
  }

  @Post(':id/reports')
  @HttpCode(200)
  @Roles('duty_officer', 'commander')
  @ApiOperation({ summary: 'Report households and persons moved to a shelter (an increment)' })
  async report(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: EvacuationReportDto,
    @CurrentCaller() caller: Caller,
  ): Promise<ZoneProgress[]> {
    return this.evacuations.report(id, body, caller.regionCode, caller.actor);
  }

  @Post(':id/return')
  @HttpCode(200)
  @Roles('duty_officer', 'commander')
  @ApiOperation({ summary: 'Authorise return (only once the warning is lifted: 严防私自回流)' })
  async authoriseReturn(@Param('id', ParseUUIDPipe) id: string, @CurrentCaller() caller: Caller) {
    return this.evacuations.authoriseReturn(id, caller.regionCode, caller.actor);
  }
}
