import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AccountActor, Page, SESSION_COOKIE, UsersService, UserView } from '@app/accounts';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { CreateUserDto, ResetPasswordDto, UpdateUserDto, UserListQueryDto } from './accounts.dto';
import { whereOf } from './request-where';

const by = (caller: Caller, req: Request): AccountActor => ({
  actor: caller.actor,
  regionCode: caller.regionCode,
  ip: whereOf(req).ip,
});

/** Administrators manage the accounts of their region: create, change role/region/name, disable, reset passwords. */
@ApiTags('users')
@ApiBearerAuth()
@ApiCookieAuth(SESSION_COOKIE)
@Controller('api/v1/users')
@UseGuards(ApiKeyGuard)
@Roles('admin')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'Accounts in the administrator’s region, paginated ({ items, total, page, pageSize })' })
  async list(@Query() query: UserListQueryDto, @CurrentCaller() caller: Caller): Promise<Page<UserView>> {
    return this.users.list(query, caller.regionCode);
  }

  @Post()
  @ApiOperation({ summary: 'Create an account (password: ≥ 10 characters, not common, not containing the login name)' })
  @ApiResponse({ status: 201, description: 'the account' })
  @ApiResponse({ status: 409, description: 'the login name is taken' })
  async create(@Body() body: CreateUserDto, @CurrentCaller() caller: Caller, @Req() req: Request): Promise<UserView> {
    return this.users.create(body, by(caller, req));
  }

  @Get(':id')
  async get(@Param('id', ParseUUIDPipe) id: string, @CurrentCaller() caller: Caller): Promise<UserView> {
    return this.users.get(id, caller.regionCode);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change display name, role, region or disabled; disabling ends the account’s sessions at once',
  })
  async update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateUserDto,
    @CurrentCaller() caller: Caller,
    @Req() req: Request,
  ): Promise<UserView> {
    return this.users.update(id, body, by(caller, req));
  }

  @Post(':id/reset-password')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set a new password (or make one up, answered once); ends every session of the account' })
  async resetPassword(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ResetPasswordDto,
    @CurrentCaller() caller: Caller,
    @Req() req: Request,
  ): Promise<{ user: UserView; password?: string }> {
    return this.users.resetPassword(id, body, by(caller, req));
  }
}
