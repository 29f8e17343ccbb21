export * from './admin-unit.entity';
export * from './risk-zone.entity';
export * from './protected-object.entity';
export * from './person.entity';
export * from './contact-method.entity';
export * from './responsibility-assignment.entity';
export * from './contracting-assignment.entity';
export * from './special-resident.entity';
export * from './warning.entity';
export * from './dispatch.entity';
export * from './call-task.entity';
export * from './attempt.entity';
export * from './acknowledgement.entity';
export * from './escalation.entity';
export * from './event.entity';
export * from './api-key.entity';
export * from './delivery.entity';
export * from './response-records.entity';
export * from './orders.entity';
export * from './evacuation.entity';
export * from './response-spec.entity';
export * from './warning-draft.entity';
export * from './feed-source.entity';
export * from './feed-entry.entity';
export * from './source-alarm.entity';
export * from './station.entity';
export * from './station-reading.entity';
export * from './fire-danger-rating.entity';
export * from './sensor-alarm.entity';
export * from './daily-report.entity';

import { AdminUnitEntity } from './admin-unit.entity';
import { RiskZoneEntity } from './risk-zone.entity';
import { ProtectedObjectEntity } from './protected-object.entity';
import { PersonEntity } from './person.entity';
import { ContactMethodEntity } from './contact-method.entity';
import { ResponsibilityAssignmentEntity } from './responsibility-assignment.entity';
import { ContractingAssignmentEntity } from './contracting-assignment.entity';
import { SpecialResidentEntity } from './special-resident.entity';
import { WarningEntity } from './warning.entity';
import { DispatchEntity } from './dispatch.entity';
import { CallTaskEntity } from './call-task.entity';
import { AttemptEntity } from './attempt.entity';
import { AcknowledgementEntity } from './acknowledgement.entity';
import { EscalationEntity } from './escalation.entity';
import { EventEntity } from './event.entity';
import { ApiKeyEntity } from './api-key.entity';
import {
  BroadcastDeviceEntity,
  BroadcastJobEntity,
  PendingReceiptEntity,
  PublicNoticeEntity,
  PublicSmsBatchEntity,
  ResidentPhoneEntity,
  ShortLinkEntity,
  WebhookEndpointEntity,
} from './delivery.entity';
import { IssueItemEntity, PerformanceRecordEntity, ResidentConfirmationEntity } from './response-records.entity';
import { NoticeEntity, OrderEntity, OrderTargetEntity } from './orders.entity';
import { EvacuationEntity, EvacuationReportEntity, ShelterEntity } from './evacuation.entity';
import { ResponseSpecEntity } from './response-spec.entity';
import { WarningDraftEntity } from './warning-draft.entity';
import { FeedSourceEntity } from './feed-source.entity';
import { FeedEntryEntity } from './feed-entry.entity';
import { SourceAlarmEntity } from './source-alarm.entity';
import { StationEntity } from './station.entity';
import { StationReadingEntity } from './station-reading.entity';
import { FireDangerRatingEntity } from './fire-danger-rating.entity';
import { SensorAlarmEntity } from './sensor-alarm.entity';
import { DailyReportEntity } from './daily-report.entity';

/** Listed explicitly: globs do not survive bundling and hide what the schema is. */
export const ENTITIES = [
  AdminUnitEntity,
  RiskZoneEntity,
  ProtectedObjectEntity,
  PersonEntity,
  ContactMethodEntity,
  ResponsibilityAssignmentEntity,
  ContractingAssignmentEntity,
  SpecialResidentEntity,
  WarningEntity,
  DispatchEntity,
  CallTaskEntity,
  AttemptEntity,
  AcknowledgementEntity,
  EscalationEntity,
  EventEntity,
  ApiKeyEntity,
  ShortLinkEntity,
  WebhookEndpointEntity,
  PendingReceiptEntity,
  ResidentPhoneEntity,
  BroadcastDeviceEntity,
  PublicNoticeEntity,
  PublicSmsBatchEntity,
  BroadcastJobEntity,
  ResponseSpecEntity,
  WarningDraftEntity,
  FeedSourceEntity,
  FeedEntryEntity,
  SourceAlarmEntity,
  StationEntity,
  StationReadingEntity,
  FireDangerRatingEntity,
  SensorAlarmEntity,
  PerformanceRecordEntity,
  IssueItemEntity,
  ResidentConfirmationEntity,
  OrderEntity,
  OrderTargetEntity,
  NoticeEntity,
  ShelterEntity,
  EvacuationEntity,
  EvacuationReportEntity,
  DailyReportEntity,
];
