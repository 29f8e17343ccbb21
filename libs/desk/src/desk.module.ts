import { Module } from '@nestjs/common';
import { MatchingModule } from '@app/matching';
import { BoardEvents } from './board/board-events';
import { CommandBoardService } from './board/command-board.service';
import { DeskWarningsService } from './desk-warnings.service';
import { DivisionsService } from './divisions.service';
import { ManualCallsService } from './manual-calls.service';
import { PreviewSummaryService } from './preview-summary.service';
import { AckReportService } from './reports/ack-report.service';
import { NonRespondersService } from './reports/non-responders.service';
import { ReviewService } from './reports/review.service';

/** Read models of the duty desk (值班台): lists, the division tree, map layers, the phone queue, preview summaries. */
@Module({
  imports: [MatchingModule],
  providers: [
    AckReportService,
    NonRespondersService,
    ReviewService,
    BoardEvents,
    CommandBoardService,
    DeskWarningsService,
    DivisionsService,
    ManualCallsService,
    PreviewSummaryService,
  ],
  exports: [
    AckReportService,
    NonRespondersService,
    ReviewService,
    BoardEvents,
    CommandBoardService,
    DeskWarningsService,
    DivisionsService,
    ManualCallsService,
    PreviewSummaryService,
  ],
})
export class DeskModule {}
