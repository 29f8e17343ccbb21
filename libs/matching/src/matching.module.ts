import { Module } from '@nestjs/common';
import { CallsModule } from '@app/calls';
import { AreaMatcher } from './area-matcher';
import { MatchChunkService } from './match-chunk.service';
import { MatchWarningService } from './match-warning.service';
import { RecipientResolver } from './recipient-resolver';
import { ResponseSpecStore } from './response-spec.store';
import { responseSpecsProvider, RESPONSE_SPECS } from './response-specs.provider';
import { RosterAssignmentsService } from './roster/roster-assignments.service';
import { RosterBoardService } from './roster/roster-board.service';
import { RosterFitnessService } from './roster/roster-fitness.service';
import { RosterImportService } from './roster/roster-import.service';
import { WarningPreviewService } from './warning-preview.service';

const SERVICES = [
  AreaMatcher,
  RecipientResolver,
  MatchWarningService,
  MatchChunkService,
  ResponseSpecStore,
  WarningPreviewService,
  RosterAssignmentsService,
  RosterImportService,
  RosterBoardService,
  RosterFitnessService,
];

@Module({
  imports: [CallsModule],
  providers: [...SERVICES, responseSpecsProvider],
  exports: [...SERVICES, RESPONSE_SPECS],
})
export class MatchingModule {}
