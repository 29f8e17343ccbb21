import { CreateSchema1763800000000 } from './1763800000000-CreateSchema';
import { AddResponseSpecsAndRosterIndexes1763800100000 } from './1763800100000-AddResponseSpecsAndRosterIndexes';
import { AddDeliveryChannels1763800200000 } from './1763800200000-AddDeliveryChannels';
import { CreateResponseRecords1763800300000 } from './1763800300000-CreateResponseRecords';
import { CreateIngestTables1763800400000 } from './1763800400000-CreateIngestTables';
import { ChainEvents1763800500000 } from './1763800500000-ChainEvents';
import { NoticeChannels1763800600000 } from './1763800600000-NoticeChannels';

/** Appended by hand, in order. */
export const MIGRATIONS = [
  CreateSchema1763800000000,
  AddResponseSpecsAndRosterIndexes1763800100000,
  AddDeliveryChannels1763800200000,
  CreateResponseRecords1763800300000,
  CreateIngestTables1763800400000,
  ChainEvents1763800500000,
  NoticeChannels1763800600000,
];
