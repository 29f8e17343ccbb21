import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Board, BOARD_ROLES, BoardService } from '@app/response';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';

@ApiTags('board')
@ApiBearerAuth()
@Controller('api/v1/board')
@UseGuards(ApiKeyGuard)
export class BoardController {
  constructor(private readonly board: BoardService) {}

  @Get()
  @Roles(...BOARD_ROLES)
  @ApiOperation({
    summary:
      'Commander board: active warnings, per-town answer rate, open escalations by age, silent units, evacuation, pending orders',
  })
  async get(@CurrentCaller() caller: Caller): Promise<Board> {
    return this.board.board(caller.regionCode);
  }
}
