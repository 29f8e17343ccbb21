import { Module } from '@nestjs/common';
import { AlertIngestService } from './alert-ingest.service';
import { WarningQueryService } from './warning-query.service';

@Module({
  providers: [AlertIngestService, WarningQueryService],
  exports: [AlertIngestService, WarningQueryService],
})
export class AlertsModule {}
