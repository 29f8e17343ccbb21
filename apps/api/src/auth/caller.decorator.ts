import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Caller } from './api-key.guard';

export const CurrentCaller = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Caller => ctx.switchToHttp().getRequest<{ caller: Caller }>().caller,
);
