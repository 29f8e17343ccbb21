import { Module } from '@nestjs/common';
import { ResponseModule } from '@app/response';
import { DispatchService } from './dispatch.service';
import { EmailChannel } from './email.channel';

@Module({
  imports: [ResponseModule],
  providers: [DispatchService, EmailChannel],
  exports: [DispatchService],
})
export class DeliveryModule {}
