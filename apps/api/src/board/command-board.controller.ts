import { Body, Controller, Get, HttpCode, MessageEvent, Param, Post, Query, Sse, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { interval, last, map, merge, Observable, share, takeUntil } from 'rxjs';
import { SESSION_COOKIE } from '@app/accounts';
import { BoardEvents, BoardPerson, CommandBoard, CommandBoardService, Page } from '@app/desk';
import { BoardActions } from '@app/response';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { BoardPeopleQueryDto, BoardQueryDto, UnitActionDto, UnitParamDto } from './command-board.dto';

/** A comment line now and then keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 25_000;

/** The commander's board (指挥看板): aggregates, a unit's people, live changes (SSE), and actions on a unit. */
@ApiTags('command-board')
@ApiBearerAuth()
@ApiCookieAuth(SESSION_COOKIE)
@Controller('api/v1/command-board')
@UseGuards(ApiKeyGuard)
@Roles('commander', 'duty_officer')
export class CommandBoardController {
  constructor(
    private readonly board: CommandBoardService,
    private readonly events: BoardEvents,
    private readonly actions: BoardActions,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Counters (已叫/已送达/已应答/未到时限/已超时/已升级/无法联系/督办未响应) and the 区县→乡镇→村 tree with 叫应率 and status (red: overdue; amber: deadlines running), most urgent first',
  })
  async get(@Query() q: BoardQueryDto, @CurrentCaller() caller: Caller): Promise<CommandBoard> {
    return this.board.board(caller.regionCode, q.warningId ?? null);
  }

  @Get('people')
  @ApiOperation({
    summary:
      'A unit’s people, paginated, most urgent first: state, channel outcomes, deadline, escalations and 督办, masked number',
  })
  async people(@Query() q: BoardPeopleQueryDto, @CurrentCaller() caller: Caller): Promise<Page<BoardPerson>> {
    return this.board.people(caller.regionCode, { ...q, warningId: q.warningId ?? null });
  }

  @Sse('events')
  @ApiOperation({
    summary:
      'Server-sent events: {warnings, towns} whose calls changed (answers, messages, escalations, 督办), in the caller’s region; re-read those aggregates',
  })
  stream(@CurrentCaller() caller: Caller): Observable<MessageEvent> {
    const changes = this.events.subscribe(caller.regionCode).pipe(share());
    return merge(
      changes.pipe(map((change): MessageEvent => ({ type: 'change', data: change }))),
      // The pings stop with the changes (at shutdown), so the stream ends.
      interval(KEEPALIVE_MS).pipe(
        takeUntil(changes.pipe(last(null, null))),
        map((): MessageEvent => ({ type: 'ping', data: '' })),
      ),
    );
  }

  @Post('units/:code/recall')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Call the unit’s silent people again now, on the strongest channels of their tier (counted as a reminder)',
  })
  async recall(
    @Param() p: UnitParamDto,
    @Body() body: UnitActionDto,
    @CurrentCaller() caller: Caller,
  ): Promise<{ calls: number; messages: number }> {
    const action = {
      warningId: body.warningId ?? null,
      unit: p.code,
      regionCode: caller.regionCode,
      actor: caller.actor,
    };
    await this.actions.assertUnit(action);
    return this.actions.recall(action);
  }

  @Post('units/:code/hand-over')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hand the unit’s silent people to the duty desk’s phone queue (电话叫应)' })
  async handOver(
    @Param() p: UnitParamDto,
    @Body() body: UnitActionDto,
    @CurrentCaller() caller: Caller,
  ): Promise<{ calls: number }> {
    const action = {
      warningId: body.warningId ?? null,
      unit: p.code,
      regionCode: caller.regionCode,
      actor: caller.actor,
    };
    await this.actions.assertUnit(action);
    return this.actions.handOver(action);
  }
}
