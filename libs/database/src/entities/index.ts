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
];
