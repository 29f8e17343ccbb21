import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { NoticeDeliveryModule } from '@app/delivery';
import { QueueModule } from '@app/queue';
import { ResponseModule } from '@app/response';
import { DeadlineProcessor } from './deadline.processor';
import { NoticeProcessor } from './notice.processor';

/** Timers (call checks, warning expiry, 熔断 order checks) and notices. */
@Module({
  imports: [ConfigModule, DatabaseModule, QueueModule, ResponseModule, NoticeDeliveryModule],
  providers: [DeadlineProcessor, NoticeProcessor],
})
export class EscalatorModule {}
