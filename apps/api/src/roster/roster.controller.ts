/// <reference types="multer" />
import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Res,
  StreamableFile,
  UploadedFile,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
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
import {
  CreateAssignmentDto,
  CreateContractingDto,
  EndDto,
  UpdateAssignmentDto,
  UpdateContractingDto,
} from './roster.dto';

export const CSV_TYPE = 'text/csv';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/**
 * A browser's form upload (multipart/form-data, field `file`): one file in memory. Multer stops at a hard cap; the
 * handler holds it to MAX_BODY_BYTES like a raw upload, with a message a person can act on.
 */
const UPLOAD = FileInterceptor('file', { limits: { files: 1, fields: 5, fileSize: 64 * 1024 * 1024 } });

/** CSV or XLSX, by the declared type or, for a browser's upload (often application/octet-stream), the file's name. */
function sheetFormat(type: string, fileName?: string): SheetFormat | null {
  if (type === CSV_TYPE || (fileName && /\.csv$/i.test(fileName))) {
    return 'csv';
  }
  return type === XLSX_TYPE || (fileName && /\.xlsx$/i.test(fileName)) ? 'xlsx' : null;
}

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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('assignments')
  @Roles('duty_officer', 'roster_admin', 'admin')
  @ApiOperation({
    summary: 'Create a responsibility assignment (a person in a role slot for a sector on a unit, zone or object)',
  })
  async createAssignment(@Body() dto: CreateAssignmentDto, @CurrentCaller() caller: Caller) {
    return this.assignments.createAssignment(dto, actorOf(caller));
  }

  @Patch('assignments/:id')
  @Roles('duty_officer', 'roster_admin', 'admin')
  async updateAssignment(@Param('id') id: string, @Body() dto: UpdateAssignmentDto, @CurrentCaller() caller: Caller) {
    return this.assignments.updateAssignment(id, dto, actorOf(caller));
  }

  @Post('assignments/:id/end')
  @HttpCode(200)
  @Roles('duty_officer', 'roster_admin', 'admin')
  @ApiOperation({ summary: 'End an assignment: sets valid_to (today by default); the row stays for the record' })
  async endAssignment(@Param('id') id: string, @Body() dto: EndDto, @CurrentCaller() caller: Caller) {
    return this.assignments.endAssignment(id, dto.validTo, actorOf(caller));
  }

  @Post('contracting')
  @Roles('duty_officer', 'roster_admin', 'admin')
  @ApiOperation({ summary: 'Create a 包干 assignment (区领导包镇, 镇领导包村, 村干部包组)' })
  async createContracting(@Body() dto: CreateContractingDto, @CurrentCaller() caller: Caller) {
    return this.assignments.createContracting(dto, actorOf(caller));
  }

  @Patch('contracting/:id')
  @Roles('duty_officer', 'roster_admin', 'admin')
  async updateContracting(@Param('id') id: string, @Body() dto: UpdateContractingDto, @CurrentCaller() caller: Caller) {
    return this.assignments.updateContracting(id, dto, actorOf(caller));
  }

  @Post('contracting/:id/end')
  @HttpCode(200)
  @Roles('duty_officer', 'roster_admin', 'admin')
  async endContracting(@Param('id') id: string, @Body() dto: EndDto, @CurrentCaller() caller: Caller) {
    return this.assignments.endContracting(id, dto.validTo, actorOf(caller));
  }

  @Post('import')
  @HttpCode(200)
  @Roles('duty_officer', 'roster_admin', 'admin')
  @ApiConsumes(CSV_TYPE, XLSX_TYPE, 'multipart/form-data')
  @ApiQuery({ name: 'dryRun', required: false, description: 'true = check everything, write nothing' })
  @ApiOperation({
    summary:
      'Import a town spreadsheet (CSV or XLSX, Chinese headers; the bytes as the body, or a form field `file`); any row error imports nothing',
  })
  @UseInterceptors(UPLOAD)
  async import(
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Query('dryRun') dryRun: string | undefined,
    @CurrentCaller() caller: Caller,
  ): Promise<ImportSummary> {
    const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
    if (type === 'multipart/form-data' && !file) {
      throw new ValidationError('the form has no file in field "file"（请选择要上传的 CSV 或 XLSX 文件）');
    }
    if (file && file.size > this.config.http.maxBodyBytes) {
      const mb = (this.config.http.maxBodyBytes / 1024 / 1024).toFixed(1);
      throw new PayloadTooLargeError(`the file is larger than ${mb} MB（文件超过 ${mb} MB，请按乡镇分开上传）`, {
        limit: this.config.http.maxBodyBytes,
      });
    }
    const format = file ? sheetFormat(file.mimetype.toLowerCase(), file.originalname) : sheetFormat(type);
    if (!format) {
      throw new UnsupportedMediaTypeError(
        `Content-Type must be ${CSV_TYPE} or ${XLSX_TYPE}, or a .csv/.xlsx file in a form（请上传 CSV 或 XLSX 文件）`,
      );
    }
    return this.imports.import(file ? file.buffer : (body as Buffer), format, {
      regionCode: caller.regionCode,
      actor: caller.actor,
      dryRun: dryRun === 'true' || dryRun === '1',
    });
  }

  @Get('board')
  @Roles('duty_officer', 'commander', 'roster_admin', 'admin')
  @ApiQuery({ name: 'town', required: false })
  @ApiQuery({ name: 'objectId', required: false })
  @ApiQuery({ name: 'zoneId', required: false })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv', 'xlsx'] })
  @ApiQuery({
    name: 'phones',
    required: false,
    description: "'full' (admin only) prints whole numbers for the signboard",
  })
  @ApiOperation({
    summary: 'The published 三个责任人 board (挂牌公示) of a town or one object/zone, as JSON, CSV or XLSX',
  })
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
        return new StreamableFile(await writeXlsx('挂牌公示', header, rows), {
          type: XLSX_TYPE,
          disposition: `attachment; filename="${name}.xlsx"`,
        });
      default:
        throw new ValidationError('format: json, csv or xlsx（导出格式无效）', { field: 'format' });
    }
  }

  @Get('fitness')
  @Roles('duty_officer', 'commander', 'roster_admin', 'admin')
  @ApiQuery({ name: 'unit', required: false, description: 'division code; the caller’s region when absent' })
  @ApiOperation({
    summary:
      'Roster fitness: missing role slots, people without usable contact, expired rows, dead numbers, unpublished rows',
  })
  async fitnessReport(
    @Query('unit') unit: string | undefined,
    @CurrentCaller() caller: Caller,
  ): Promise<FitnessReport> {
    return this.fitness.report(unit ?? caller.regionCode, caller.regionCode);
  }
}
