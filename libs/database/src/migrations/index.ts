import { CreateSchema1763800000000 } from './1763800000000-CreateSchema';
import { AddResponseSpecsAndRosterIndexes1763800100000 } from './1763800100000-AddResponseSpecsAndRosterIndexes';
import { AddDeliveryChannels1763800200000 } from './1763800200000-AddDeliveryChannels';
import { CreateResponseRecords1763800300000 } from './1763800300000-CreateResponseRecords';
import { CreateIngestTables1763800400000 } from './1763800400000-CreateIngestTables';
import { ChainEvents1763800500000 } from './1763800500000-ChainEvents';
import { NoticeChannels1763800600000 } from './1763800600000-NoticeChannels';
import { CreateAccounts1763800700000 } from './1763800700000-CreateAccounts';
import { WarningIngestFlags1763800710000 } from './1763800710000-WarningIngestFlags';
import { DraftReturns1763800800000 } from './1763800800000-DraftReturns';
import { RequestAudit1763801000000 } from './1763801000000-RequestAudit';
import { EscalationNotices1763800900000 } from './1763800900000-EscalationNotices';
import { BoardNotify1763801100000 } from './1763801100000-BoardNotify';
import { EscalationRounds1763801150000 } from './1763801150000-EscalationRounds';
import { DeferredPeerNotices1763801160000 } from './1763801160000-DeferredPeerNotices';
import { BoardReadsEventLog1763801200000 } from './1763801200000-BoardReadsEventLog';
import { BoardReports1763801300000 } from './1763801300000-BoardReports';
import { NoticeTries1763801400000 } from './1763801400000-NoticeTries';
import { EmailHandover1763801500000 } from './1763801500000-EmailHandover';
import { EscalationNoticesByTime1763801600000 } from './1763801600000-EscalationNoticesByTime';
import { EscalationsByCall1763801700000 } from './1763801700000-EscalationsByCall';
import { MatchChunks1763801800000 } from './1763801800000-MatchChunks';
import { EffectiveBackups1763801900000 } from './1763801900000-EffectiveBackups';

/** Appended by hand, in order. */
export const MIGRATIONS = [
  CreateSchema1763800000000,
  AddResponseSpecsAndRosterIndexes1763800100000,
  AddDeliveryChannels1763800200000,
  CreateResponseRecords1763800300000,
  CreateIngestTables1763800400000,
  ChainEvents1763800500000,
  NoticeChannels1763800600000,
  CreateAccounts1763800700000,
  WarningIngestFlags1763800710000,
  DraftReturns1763800800000,
  EscalationNotices1763800900000,
  RequestAudit1763801000000,
  BoardNotify1763801100000,
  EscalationRounds1763801150000,
  DeferredPeerNotices1763801160000,
  BoardReadsEventLog1763801200000,
  BoardReports1763801300000,
  NoticeTries1763801400000,
  EmailHandover1763801500000,
  EscalationNoticesByTime1763801600000,
  EscalationsByCall1763801700000,
  MatchChunks1763801800000,
  EffectiveBackups1763801900000,
];
