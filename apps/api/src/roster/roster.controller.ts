import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Res, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { UnsupportedMediaTypeError, ValidationError } from '@app/common';
import {
  BoardLine,
  FitnessReport,
  ImportSummary,
  RosterAssignmentsService,
  RosterBoardService,
  RosterFitnessService,
  RosterImportService,
  SheetFormat,
  writeCsv,
  writeXlsx,
} from '@app/matching';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { CreateAssignmentDto, CreateContractingDto, EndDto, UpdateAssignmentDto, UpdateContractingDto } from './roster.dto';

export const CSV_TYPE = 'text/csv';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const actorOf = (c: Caller) => ({ name: c.name, regionCode: c.regionCode });

/** The roster (三个责任人, 网格员, 包干): edit, import, publish board, fitness. Region-scoped, admins and duty officers. */
@ApiTags('roster')
@ApiBearerAuth()
@Controller('api/v1/roster')
@UseGuards(ApiKeyGuard)
export class RosterController {
  constructor(
    private readonly assignments: RosterAssignmentsService,
    private readonly imports: RosterImportService,
    private readonly boards: RosterBoardService,
    private readonly fitness: RosterFitnessService,
  ) {}

  @Post('assignments')
  @Roles('duty_officer', 'admin')
  @ApiOperation({ summary: 'Create a responsibility assignment (a person in a role slot for a sector on a unit, zone or object)' })
  async createAssignment(@Body() dto: CreateAssignmentDto, @CurrentCaller() caller: Caller) {
    return this.assignments.createAssignment(dto, actorOf(caller));
  }

  @Patch('assignments/:id')
  @Roles('duty_officer', 'admin')
  async updateAssignment(@Param('id') id: string, @Body() dto: UpdateAssignmentDto, @CurrentCaller() caller: Caller) {
    return this.assignments.updateAssignment(id, dto, actorOf(caller));
  }

  @Post('assignments/:id/end')
  @HttpCode(200)
  @Roles('duty_officer', 'admin')
  @ApiOperation({ summary: 'End an assignment: sets valid_to (today by default); the row stays for the record' })
  async endAssignment(@Param('id') id: string, @Body() dto: EndDto, @CurrentCaller() caller: Caller) {
    return this.assignments.endAssignment(id, dto.validTo, actorOf(caller));
  }

  @Post('contracting')
  @Roles('duty_officer', 'admin')
  @ApiOperation({ summary: 'Create a 包干 assignment (区领导包镇, 镇领导包村, 村干部包组)' })
  async createContracting(@Body() dto: CreateContractingDto, @CurrentCaller() caller: Caller) {
    return this.assignments.createContracting(dto, actorOf(caller));
  }

  @Patch('contracting/:id')
  @Roles('duty_officer', 'admin')
  async updateContracting(@Param('id') id: string, @Body() dto: UpdateContractingDto, @CurrentCaller() caller: Caller) {
    return this.assignments.updateContracting(id, dto, actorOf(caller));
  }

  @Post('contracting/:id/end')
  @HttpCode(200)
  @Roles('duty_officer', 'admin')
  async endContracting(@Param('id') id: string, @Body() dto: EndDto, @CurrentCaller() caller: Caller) {
    return this.assignments.endContracting(id, dto.validTo, actorOf(caller));
  }

  @Post('import')
  @HttpCode(200)
  @Roles('duty_officer', 'admin')
  @ApiConsumes(CSV_TYPE, XLSX_TYPE)
  @ApiQuery({ name: 'dryRun', required: false, description: 'true = check everything, write nothing' })
  @ApiOperation({ summary: 'Import a town spreadsheet (CSV or XLSX, Chinese headers); any row error imports nothing' })
  async import(
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
    @Query('dryRun') dryRun: string | undefined,
    @CurrentCaller() caller: Caller,
  ): Promise<ImportSummary> {
    const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
    const format: SheetFormat | null = type === CSV_TYPE ? 'csv' : type === XLSX_TYPE ? 'xlsx' : null;
    if (!format) {
      throw new UnsupportedMediaTypeError(`Content-Type must be ${CSV_TYPE} or ${XLSX_TYPE}（请上传 CSV 或 XLSX 文件）`);
    }
    return this.imports.import(body as Buffer, format, {
      regionCode: caller.regionCode,
      actor: `api-key:${caller.name}`,
      dryRun: dryRun === 'true' || dryRun === '1',
    });
  }

  @Get('board')
  @Roles('duty_officer', 'commander', 'admin')
  @ApiQuery({ name: 'town', required: false }) @ApiQuery({ name: 'objectId', required: false }) @ApiQuery({ name: 'zoneId', required: false })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv', 'xlsx'] })
  @ApiQuery({ name: 'phones', required: false, description: "'full' (admin only) prints whole numbers for the signboard" })
  @ApiOperation({ summary: 'The published 三个责任人 board (挂牌公示) of a town or one object/zone, as JSON, CSV or XLSX' })
  async board(
    @Query('town') town: string | undefined,
    @Query('objectId') objectId: string | undefined,
    @Query('zoneId') zoneId: string | undefined,
    @Query('format') format: string | undefined,
    @Query('phones') phones: string | undefined,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BoardLine[] | string | StreamableFile> {
    const lines = await this.boards.board({ townCode: town, objectId, zoneId }, caller.regionCode, {
      fullPhones: phones === 'full' && caller.role === 'admin',
    });
    const name = `roster-board-${town ?? objectId ?? zoneId}`;
    const { header, rows } = RosterBoardService.sheetRows(lines);
    switch (format ?? 'json') {
      case 'json':
        return lines;
      case 'csv':
        res.type(`${CSV_TYPE}; charset=utf-8`).attachment(`${name}.csv`);
        return writeCsv(header, rows);
      case 'xlsx':
        return new StreamableFile(await writeXlsx('挂牌公示', header, rows), { type: XLSX_TYPE, disposition: `attachment; filename="${name}.xlsx"` });
      default:
        throw new ValidationError('format: json, csv or xlsx（导出格式无效）', { field: 'format' });
    }
  }

  @Get('fitness')
  @Roles('duty_officer', 'commander', 'admin')
  @ApiQuery({ name: 'unit', required: false, description: 'division code; the caller’s region when absent' })
  @ApiOperation({ summary: 'Roster fitness: missing role slots, people without usable contact, expired rows, dead numbers, unpublished rows' })
  async fitnessReport(@Query('unit') unit: string | undefined, @CurrentCaller() caller: Caller): Promise<FitnessReport> {
    return this.fitness.report(unit ?? caller.regionCode, caller.regionCode);
  }
}
