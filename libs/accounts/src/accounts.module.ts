import { Module } from '@nestjs/common';
import { SessionsService } from './sessions.service';
import { UsersService } from './users.service';

@Module({
  providers: [UsersService, SessionsService],
  exports: [UsersService, SessionsService],
})
export class AccountsModule {}
