import { Body, Controller, Get, Header, Param, Post, Query, Redirect } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { OrdersService } from '@app/response';
import { OrderFormDto } from './order-form.dto';
import { orderFlash, renderOrderPage } from './order-page';

/**
 * The page a 熔断 order target opens from the notice on a phone. GET only shows (opening is recorded, never an
 * answer); each press is a POST through OrdersService.respondByToken, then 303 back to the page (redirect-after-post).
 */
@ApiExcludeController()
@Controller('order')
export class OrderPageController {
  constructor(private readonly orders: OrdersService) {}

  @Get(':token')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  async page(@Param('token') token: string, @Query('r') r?: string): Promise<string> {
    return renderOrderPage(await this.orders.view(token), token, orderFlash(r));
  }

  @Post(':token')
  @Redirect()
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  async submit(
    @Param('token') token: string,
    @Body() form: OrderFormDto,
  ): Promise<{ url: string; statusCode: number }> {
    const result = await this.orders.respondByToken(token, form.action, { note: form.note, photoUrl: form.photoUrl });
    const flash = 'already' in result && result.already ? 'already' : 'recorded';
    return { url: `/order/${encodeURIComponent(token)}?r=${flash}`, statusCode: 303 };
  }
}
