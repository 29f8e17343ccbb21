import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OrdersService } from '@app/response';
import { ApiKeyGuard, Caller, Roles } from '../auth/api-key.guard';
import { CurrentCaller } from '../auth/caller.decorator';
import { IssueOrderDto, LiftOrderDto, OrderResponseDto } from './orders.dto';

/** 熔断 orders (断、禁、停、撤、疏) to units, from the console (region-checked). */
@ApiTags('orders')
@ApiBearerAuth()
@Controller('api/v1/orders')
@UseGuards(ApiKeyGuard)
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @Roles('duty_officer', 'commander')
  @ApiOperation({
    summary: 'Issue a 熔断 order to units; each target gets a link to acknowledge, then report execution',
  })
  async issue(@Body() body: IssueOrderDto, @CurrentCaller() caller: Caller) {
    return this.orders.issue(body, caller.regionCode, caller.actor);
  }

  @Get()
  @Roles('duty_officer', 'commander')
  @ApiOperation({ summary: 'Orders in the caller region with every target’s two-step state' })
  async list(@CurrentCaller() caller: Caller) {
    return this.orders.list(caller.regionCode);
  }

  @Post(':id/lift')
  @HttpCode(200)
  @Roles('duty_officer', 'commander')
  @ApiOperation({ summary: 'Lift an order; every target is notified (its link then shows the order as lifted)' })
  async lift(@Param('id', ParseUUIDPipe) id: string, @Body() body: LiftOrderDto, @CurrentCaller() caller: Caller) {
    return this.orders.lift(id, caller.regionCode, caller.actor, body.note ?? null);
  }

  @Post('targets/:targetId/respond')
  @HttpCode(200)
  @Roles('duty_officer', 'commander')
  @ApiOperation({ summary: 'Record a target’s acknowledgment or execution taken by phone (by proxy)' })
  async respondByProxy(
    @Param('targetId', ParseUUIDPipe) targetId: string,
    @Body() body: OrderResponseDto,
    @CurrentCaller() caller: Caller,
  ) {
    await this.orders.targetInRegion(targetId, caller.regionCode);
    return this.orders.respond(targetId, null, body.action, body, caller.actor);
  }
}

/** The JSON twin of the order page (GET/POST /order/:token): the signed token each target's link carries. */
@ApiTags('orders')
@Controller('api/v1/order-targets')
export class OrderTargetsController {
  constructor(private readonly orders: OrdersService) {}

  @Post(':token')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Acknowledge, report execution of, or acknowledge the lift of an order, with the link’s token',
  })
  async respond(@Param('token') token: string, @Body() body: OrderResponseDto) {
    return this.orders.respondByToken(token, body.action, body);
  }
}
