import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import type { Response } from 'express';
import { ShortLinks } from '@app/delivery';

/** The short link in SMS: /a/<10-character code> → the call's signed ack page. */
@Controller('a')
export class ShortLinkController {
  constructor(private readonly links: ShortLinks) {}

  @Get(':code')
  @ApiExcludeEndpoint()
  async redirect(@Param('code') code: string, @Res() res: Response): Promise<void> {
    const target = await this.links.target(code);
    res.set('Referrer-Policy', 'no-referrer').set('Cache-Control', 'no-store').redirect(302, target);
  }
}
