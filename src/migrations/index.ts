import { InitialSchema1732200000000 } from './1732200000000-initial-schema';
import { SyncAndOutbox1732300000000 } from './1732300000000-sync-and-outbox';
import { TopUpCommands1732400000000 } from './1732400000000-topup-commands';
import { PendingExpiryAndBoxHealth1732500000000 } from './1732500000000-pending-expiry-and-box-health';
import { QueueOrderIndexes1732600000000 } from './1732600000000-queue-order-indexes';
import { OutboxSequence1732710000000 } from './1732710000000-outbox-sequence';
import { DeviceAttempts1732720000000 } from './1732720000000-device-attempts';
import { PinLimitsAndCommandJournal1732730000000 } from './1732730000000-pin-limits-and-command-journal';
import { TransactionCounters1732740000000 } from './1732740000000-transaction-counters';
import { AdminSearchIndexes1732780000000 } from './1732780000000-admin-search-indexes';
import { ArchiveRuns1732790000000 } from './1732790000000-archive-runs';

/** Every migration, oldest first. Registered explicitly so the bundle needs no glob at run time. */
export const MIGRATIONS = [
  InitialSchema1732200000000,
  SyncAndOutbox1732300000000,
  TopUpCommands1732400000000,
  PendingExpiryAndBoxHealth1732500000000,
  QueueOrderIndexes1732600000000,
  OutboxSequence1732710000000,
  DeviceAttempts1732720000000,
  PinLimitsAndCommandJournal1732730000000,
  TransactionCounters1732740000000,
  AdminSearchIndexes1732780000000,
  ArchiveRuns1732790000000,
];
