import { applyDecorators, Body, Controller, Get, Header, Post, Query, Redirect, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  BOARD_ROLES, BoardService, CONSOLE_COOKIE, CONSOLE_HEADERS, ConsoleSessions, isSignInReason, renderBoardLive, renderBoardPage,
  renderSignInPage,
} from '@app/response';
import { Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { ConsoleSessionGuard } from '../auth/console-session.guard';
import { ConsoleErrorFilter } from './console-error.filter';
import { SignInFormDto } from './sign-in-form.dto';

const ConsoleHtml = () => applyDecorators(...Object.entries(CONSOLE_HEADERS).map(([name, value]) => Header(name, value)));

/** The commander's browser console: sign in with an API key once, then the live board of the key's region. */
@ApiExcludeController()
@Controller('console')
@UseFilters(ConsoleErrorFilter)
export class ConsoleController {
  constructor(
    private readonly board: BoardService,
    private readonly sessions: ConsoleSessions,
  ) {}

  @Get()
  @Redirect('/console/board', 303)
  home(): void {}

  @Get('sign-in')
  @ConsoleHtml()
  signInPage(@Query('r') reason?: string): string {
    return renderSignInPage({ reason: isSignInReason(reason) ? reason : undefined });
  }

  @Post('sign-in')
  async signIn(@Body() form: SignInFormDto, @Res() res: Response): Promise<void> {
    const { token } = await this.sessions.signIn(form.key, BOARD_ROLES);
    res.cookie(CONSOLE_COOKIE, token, this.sessions.cookieOptions()).redirect(303, '/console/board');
  }

  @Post('sign-out')
  signOut(@Res() res: Response): void {
    res.clearCookie(CONSOLE_COOKIE, this.sessions.cookieOptions()).redirect(303, '/console/sign-in?r=signed_out');
  }

  @Get('board')
  @UseGuards(ConsoleSessionGuard)
  @Roles(...BOARD_ROLES)
  @ConsoleHtml()
  async page(@CurrentCaller() caller: Caller): Promise<string> {
    return renderBoardPage(await this.board.board(caller.regionCode), caller);
  }

  /** The refreshing part of the page, polled by its script. */
  @Get('board/live')
  @UseGuards(ConsoleSessionGuard)
  @Roles(...BOARD_ROLES)
  @ConsoleHtml()
  async live(@CurrentCaller() caller: Caller): Promise<string> {
    return renderBoardLive(await this.board.board(caller.regionCode));
  }
}
