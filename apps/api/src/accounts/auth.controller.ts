import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiCookieAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { CookieOptions, Request, Response } from 'express';
import { CSRF_HEADER, LiveSession, SESSION_COOKIE, SessionsService, UserView } from '@app/accounts';
import { ForbiddenError, UnauthorizedError } from '@app/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { cookieValue } from '../auth/cookies';
import { LoginDto, TotpCodeDto } from './accounts.dto';
import { whereOf } from './request-where';

/** What login and me answer: the person and the CSRF token to send back as X-CSRF-Token. */
export interface SessionAnswer {
  user: Pick<UserView, 'id' | 'username' | 'displayName' | 'role' | 'regionCode' | 'regionName'> & {
    totpEnabled: boolean;
  };
  csrfToken: string;
}

const answer = (s: LiveSession): SessionAnswer => ({
  user: {
    id: s.user.id,
    username: s.user.username,
    displayName: s.user.displayName,
    role: s.user.role,
    regionCode: s.user.regionCode,
    regionName: s.user.regionName,
    totpEnabled: s.user.totpEnabled,
  },
  csrfToken: s.csrfToken,
});

/** People sign in to the console: a session cookie (jy_session) and a CSRF token; API keys stay for machines. */
@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign in: sets the jy_session cookie (HttpOnly, SameSite=Strict) and answers the user and a CSRF token',
  })
  @ApiResponse({
    status: 200,
    description: '{ user: { id, username, displayName, role, regionCode, regionName, totpEnabled }, csrfToken }',
  })
  @ApiResponse({
    status: 400,
    description: '{ code: "totp_required" }: the account needs its authenticator code; send it as totp',
  })
  @ApiResponse({ status: 401, description: 'wrong login name, password or code (zh + en message)' })
  @ApiResponse({
    status: 429,
    description: 'too many failures for this account or address; Retry-After says when to try again',
  })
  async login(
    @Body() body: LoginDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionAnswer> {
    const session = await this.sessions.login(body, whereOf(req));
    res.cookie(SESSION_COOKIE, session.token, this.cookieOptions(session.expiresAt));
    return answer(session);
  }

  @Get('me')
  @ApiCookieAuth(SESSION_COOKIE)
  @ApiOperation({ summary: 'The signed-in person and the session’s CSRF token; 401 when not signed in' })
  async me(@Req() req: Request): Promise<SessionAnswer> {
    return answer(await this.session(req));
  }

  @Post('logout')
  @HttpCode(204)
  @ApiCookieAuth(SESSION_COOKIE)
  @ApiHeader({ name: 'X-CSRF-Token', required: true })
  @ApiOperation({ summary: 'Ends the session (revoked in the database) and clears the cookie' })
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const token = cookieValue(req.headers.cookie, SESSION_COOKIE);
    const session = await this.sessions.resume(token);
    if (session) {
      this.assertCsrf(session, req);
      await this.sessions.logout(session, whereOf(req));
    }
    res.clearCookie(SESSION_COOKIE, { ...this.cookieOptions(new Date()), maxAge: undefined });
  }

  @Post('totp/setup')
  @HttpCode(200)
  @ApiCookieAuth(SESSION_COOKIE)
  @ApiHeader({ name: 'X-CSRF-Token', required: true })
  @ApiOperation({
    summary:
      'Commanders and administrators: a new TOTP secret (base32) and its otpauth:// URL; confirm with totp/enable',
  })
  async setupTotp(@Req() req: Request): Promise<{ secret: string; otpauthUrl: string }> {
    const session = await this.session(req, true);
    return this.sessions.setupTotp(session, whereOf(req));
  }

  @Post('totp/enable')
  @HttpCode(200)
  @ApiCookieAuth(SESSION_COOKIE)
  @ApiHeader({ name: 'X-CSRF-Token', required: true })
  @ApiBody({ type: TotpCodeDto })
  @ApiOperation({ summary: 'Turns the second factor on with a current code; from then on login needs totp' })
  async enableTotp(@Body() body: TotpCodeDto, @Req() req: Request): Promise<SessionAnswer> {
    const session = await this.session(req, true);
    await this.sessions.enableTotp(session, body.code, whereOf(req));
    return answer((await this.sessions.resume(cookieValue(req.headers.cookie, SESSION_COOKIE))) as LiveSession);
  }

  private async session(req: Request, changes = false): Promise<LiveSession> {
    const session = await this.sessions.resume(cookieValue(req.headers.cookie, SESSION_COOKIE));
    if (!session) {
      throw new UnauthorizedError('未登录或登录已过期 (not signed in, or the session has ended)');
    }
    if (changes) {
      this.assertCsrf(session, req);
    }
    return session;
  }

  private assertCsrf(session: LiveSession, req: Request): void {
    const header = req.headers[CSRF_HEADER];
    if (!this.sessions.csrfMatches(session, Array.isArray(header) ? header[0] : header)) {
      throw new ForbiddenError('缺少或错误的 X-CSRF-Token，请刷新页面后重试 (missing or wrong X-CSRF-Token header)', {
        reason: 'csrf',
      });
    }
  }

  private cookieOptions(expiresAt: Date): CookieOptions {
    return {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.http.publicBaseUrl.startsWith('https:'),
      path: '/',
      maxAge: Math.max(0, expiresAt.getTime() - Date.now()),
    };
  }
}
