import { Module } from '@nestjs/common';
import { ResponseModule } from '@app/response';
import { AlertIngestService } from './alert-ingest.service';
import { CapParserWarmup } from './cap/cap-warmup';
import { OfficerWarningService } from './officer/officer-warning.service';
import { ReadingsService } from './sensors/readings.service';
import { SensorAlarmService } from './sensors/sensor-alarm.service';
import { IncomingService } from './triage/incoming.service';
import { WarningQueryService } from './warning-query.service';

@Module({
  imports: [ResponseModule],
  providers: [
    CapParserWarmup,
    AlertIngestService,
    WarningQueryService,
    OfficerWarningService,
    SensorAlarmService,
    ReadingsService,
    IncomingService,
  ],
  exports: [AlertIngestService, WarningQueryService, OfficerWarningService, ReadingsService, IncomingService],
})
export class AlertsModule {}
