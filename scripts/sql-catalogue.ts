/**
 * One sample call of every statement builder, for the SQL snapshot (scripts/sql-snapshot.ts). A
 * unit spec (src/database/sql-catalogue.spec.ts) fails when a builder is missing here.
 */
import { ArchiveSql } from '../src/archive/archive.statements';
import { CallBoxConfigSql } from '../src/callbox/config/callbox-config.statements';
import { WorkSignalSql } from '../src/callbox/long-poll/work-signal.statements';
import { CallBoxesSql } from '../src/callbox/registry/callboxes.statements';
import { OutboxSql } from '../src/callbacks/outbox.statements';
import type { Dialect } from '../src/database/dialect';
import { Statement, statement } from '../src/database/statement';
import { LeaderSql } from '../src/sync/leader.statements';
import { SyncStateSql } from '../src/sync/sync-state.statements';
import { CommandJournalSql } from '../src/topup/journal/command-journal.statements';
import { PinLimitsSql } from '../src/topup/pins/pin-limits.statements';
import { TransactionCountsSql } from '../src/transactions/transaction-counts.statements';
import { TransactionEventsSql } from '../src/transactions/transaction-events.statements';
import { TransactionSearchSql } from '../src/transactions/transaction-search.statements';
import { TransactionsSql } from '../src/transactions/transactions.statements';

type Build = (d: Dialect) => Statement | null;

const T = 1_700_000_000_000;
const fresh = () => T;
const registration = { id: 'callbox_001', maxConcurrent: 5, supportedTypes: ['recharge' as const], operators: null, version: '1.0.0', location: null };
const heartbeat = { reportedStatus: 'active', queueSize: 0, metrics: null, at: T };
const health = { recentOutcomes: 'SF', consecutiveFailures: 1, degradedUntil: null, degradedReason: null };
const command = { msisdn: '77123456', transactionId: 'dtapp1', operation: 'recharge_account', requestHash: 'h', pinDigest: 'p' };
const pinState = { failures: 1, windowStartedAt: T, lockedUntil: null, locks: 0, locksSince: null };
const write = TransactionsSql.update;

export const SQL_CATALOGUE: Record<string, Record<string, Build>> = {
  transactions: {
    insert: (d) =>
      TransactionsSql.insert(d, {
        id: 'tx_1',
        type: 'recharge',
        phoneNumber: '+237677123456',
        amount: 1000,
        payItemId: 'ITEM',
        customerName: null,
        customerOperator: 'MTN',
        priority: 'normal',
        priorityRank: 2,
        maxRetries: 3,
        source: 'main',
        idempotencyKey: null,
        requestHash: null,
        now: T,
      }),
    findById: (d) => TransactionsSql.findById(d, 'tx_1'),
    lockById: (d) => TransactionsSql.lockById(d, 'tx_1'),
    findByIdempotencyKey: (d) => TransactionsSql.findByIdempotencyKey(d, 'key'),
    update: (d) => TransactionsSql.update(d, 'tx_1', { status: 'processing', startedAt: T, updatedAt: T }),
    updateIfHeld: (d) =>
      TransactionsSql.updateIfHeld(d, 'tx_1', { status: 'assigned', assignedTo: 'callbox_001', attempt: 1 }, { status: 'processing', startedAt: T, updatedAt: T }),
    mayHaveWorkFor: (d) => TransactionsSql.mayHaveWorkFor(d, 'callbox_001'),
    heldAndInFlightOf: (d) => TransactionsSql.heldAndInFlightOf(d, 'callbox_001', 5),
    claimPending: (d) =>
      TransactionsSql.claimPending(d, { callboxId: 'callbox_001', types: ['recharge', 'voucher'], freshSince: fresh, operators: ['mtn'], now: T, leaseMs: 30_000, room: 2 }),
    claimableIds: (d) =>
      TransactionsSql.claimableIds(d, { callboxId: 'callbox_001', types: ['recharge', 'voucher'], freshSince: fresh, operators: ['mtn'], now: T }, 4),
    queueWindow: (d) => TransactionsSql.queueWindow(d, ['recharge', 'voucher'], fresh, 20),
    assignAll: (d) => TransactionsSql.assignAll(d, [{ transactionId: 'tx_1', callboxId: 'callbox_001', leaseUntil: T }], T),
    inFlightOf: (d) => TransactionsSql.inFlightOf(d, ['callbox_001', 'callbox_002']),
    sweepCandidates: (d) => TransactionsSql.sweepCandidates(d, 'assigned', { leaseExpiredBefore: T }, 500),
    updateMany: (d) => TransactionsSql.updateMany(d, ['tx_1', 'tx_2'], 'assigned', { status: 'pending', assignedTo: null, updatedAt: T }),
  },
  'transaction-counts': {
    counters: (d) => TransactionCountsSql.counters(d),
    fold: (d) => (d.writesInWith ? TransactionCountsSql.fold(d, 1000) : null),
    inFlightByBox: (d) => TransactionCountsSql.inFlightByBox(d),
    inStatus: (d) => TransactionCountsSql.inStatus(d, 'pending'),
    assignedTo: (d) => TransactionCountsSql.assignedTo(d, 'callbox_001', ['assigned']),
  },
  'transaction-events': {
    insert: (d) => TransactionEventsSql.insert(d, [{ transactionId: 'tx_1', from: 'pending', to: 'assigned', actor: 'dispatcher', at: T, details: null }]),
    writeWithEvents: (d) =>
      d.writesInWith
        ? TransactionEventsSql.writeWithEvents(d, write(d, 'tx_1', { status: 'processing', updatedAt: T }), { from: 'assigned', to: 'processing', actor: 'callbox:callbox_001', at: T, details: null }, 'id')
        : null,
    returningRows: (d) => TransactionEventsSql.returningRows(d, statement("UPDATE transactions SET status = 'assigned' WHERE id = ?", ['tx_1'])),
    listFor: (d) => TransactionEventsSql.listFor(d, 'tx_1'),
  },
  'transaction-search': {
    page: (d) =>
      TransactionSearchSql.page(d, {
        filter: { phoneNumbers: ['77123456', '25377123456'], status: 'completed', type: 'recharge', from: T - 3_600_000, to: T },
        order: 'newest',
        after: { createdAt: T, id: 'tx_1' },
        limit: 50,
      }),
    finishedPerMinute: (d) => TransactionSearchSql.finishedPerMinute(d, Math.floor((T - 3_600_000) / 60_000), Math.floor(T / 60_000)),
  },
  outbox: {
    insert: (d) => OutboxSql.insert(d, [{ transactionId: 'tx_1', outcome: 'completed', payload: '{}', at: T }]),
    due: (d) => OutboxSql.due(d, T, 50),
    lease: (d) => OutboxSql.lease(d, [1, 2], T),
    markDelivered: (d) => OutboxSql.markDelivered(d, 1, T),
    markFailed: (d) => OutboxSql.markFailed(d, 1, 'HTTP 500', T),
    countPending: (d) => OutboxSql.countPending(d, 10_000),
  },
  callboxes: {
    register: (d) => CallBoxesSql.register(d, registration, T),
    findById: (d) => CallBoxesSql.findById(d, 'callbox_001'),
    listPage: (d) => CallBoxesSql.listPage(d, 250, 'callbox_001'),
    listByConnection: (d) => CallBoxesSql.listByConnection(d, 'connected', 500),
    countByConnection: (d) => CallBoxesSql.countByConnection(d, 'disconnected'),
    countConnectedStates: (d) => CallBoxesSql.countConnectedStates(d, T),
    writeBufferedHeartbeat: (d) => CallBoxesSql.writeBufferedHeartbeat(d, 'callbox_001', heartbeat),
    writeBufferedHeartbeatReturning: (d) => CallBoxesSql.writeBufferedHeartbeatReturning(d, 'callbox_001', heartbeat),
    writeHeartbeat: (d) => CallBoxesSql.writeHeartbeat(d, 'callbox_001', heartbeat),
    reconnect: (d) => CallBoxesSql.reconnect(d, 'callbox_001'),
    health: (d) => CallBoxesSql.health(d, 'callbox_001'),
    lockHealth: (d) => CallBoxesSql.lockHealth(d, 'callbox_001'),
    lockById: (d) => CallBoxesSql.lockById(d, 'callbox_001'),
    lockForClaim: (d) => CallBoxesSql.lockForClaim(d, 'callbox_001'),
    lockInOrder: (d) => CallBoxesSql.lockInOrder(d, ['callbox_001', 'callbox_002']),
    recordCleanSuccess: (d) => CallBoxesSql.recordCleanSuccess(d, 'callbox_001', T),
    writeHealth: (d) => CallBoxesSql.writeHealth(d, 'callbox_001', health),
    markDegraded: (d) => CallBoxesSql.markDegraded(d, ['callbox_001'], 'lease_expired', T, T),
    silentSince: (d) => CallBoxesSql.silentSince(d, T, 500),
    markDisconnected: (d) => CallBoxesSql.markDisconnected(d, ['callbox_001'], T),
    logEvents: (d) => CallBoxesSql.logEvents(d, ['callbox_001'], 'registered', T, {}),
  },
  'callbox-config': {
    all: (d) => CallBoxConfigSql.all(d),
    merge: (d) => CallBoxConfigSql.merge(d, 'callbox_001', [['batchSize', 3]], T),
  },
  'sync-state': {
    read: (d) => SyncStateSql.read(d, 'dispatcher'),
    write: (d) => SyncStateSql.write(d, 'dispatcher', true, 'admin', T),
  },
  leader: {
    tryLock: (d) => (d.engine === 'postgres' ? statement(LeaderSql.tryLock.text, LeaderSql.tryLock.params) : null),
    ping: (d) => (d.engine === 'postgres' ? statement(LeaderSql.ping) : null),
  },
  'work-signal': {
    notify: (d) => (d.engine === 'postgres' ? WorkSignalSql.notify('{"o":"a1b2c3","w":[["recharge","mtn"]],"b":[]}') : null),
    listen: (d) => (d.engine === 'postgres' ? statement(WorkSignalSql.listen) : null),
  },
  'command-journal': {
    begin: (d) => CommandJournalSql.begin(d, command, T),
    lock: (d) => CommandJournalSql.lock(d, '77123456', 'dtapp1'),
    takeOver: (d) => CommandJournalSql.takeOver(d, command, T),
    finish: (d) => CommandJournalSql.finish(d, '77123456', 'dtapp1', { state: 'done', result: 'executed', httpStatus: 200, response: {} }, T),
    release: (d) => CommandJournalSql.release(d, '77123456', 'dtapp1'),
  },
  archive: {
    page: (d) => ArchiveSql.page(d, 'completed', 'recharge', T, { createdAt: T - 1, id: 'tx_1' }, 500),
    eventsOf: (d) => ArchiveSql.eventsOf(d, ['tx_1', 'tx_2']),
    deleteEvents: (d) => ArchiveSql.deleteEvents(d, [1, 2, 3]),
    deleteDeliveredOutbox: (d) => ArchiveSql.deleteDeliveredOutbox(d, ['tx_1', 'tx_2']),
    deleteTransactions: (d) => ArchiveSql.deleteTransactions(d, ['tx_1', 'tx_2']),
    journalWindowEnd: (d) => ArchiveSql.journalWindowEnd(d, { msisdn: '77123456', transactionId: 'dtapp1' }, 2000),
    pruneJournal: (d) => ArchiveSql.pruneJournal(d, { msisdn: '77123456', transactionId: 'dtapp1' }, { msisdn: '77999999', transactionId: 'x' }, T),
    openRun: (d) => ArchiveSql.openRun(d),
    findRun: (d) => ArchiveSql.findRun(d, 'arc_1'),
    startRun: (d) => ArchiveSql.startRun(d, { id: 'arc_1', file: '/var/archive/a.ndjson.gz', beforeMs: T, owner: 'host:1:ab', now: T }),
    takeOver: (d) => ArchiveSql.takeOver(d, 'arc_1', 'host:1:ab', 'host:2:cd', T),
    heartbeat: (d) => ArchiveSql.heartbeat(d, 'arc_1', 'host:1:ab', T),
    markWritten: (d) => ArchiveSql.markWritten(d, 'arc_1', 'host:1:ab', { transactions: 10, events: 40, sha256: 'ff' }, T),
    markDeleted: (d) => ArchiveSql.markDeleted(d, 'arc_1', 'host:1:ab', 500, T),
    finishRun: (d) => ArchiveSql.finishRun(d, 'arc_1', 'host:1:ab', 'done', T),
    commandSession: (d) => (d.engine === 'sqlite' ? statement(ArchiveSql.commandSession(d).map((s) => s.text).join('; ')) : null),
    autoVacuum: (d) => (d.engine === 'sqlite' ? ArchiveSql.autoVacuum(d) : null),
    freePages: (d) => (d.engine === 'sqlite' ? ArchiveSql.freePages(d) : null),
    incrementalVacuum: (d) => (d.engine === 'sqlite' ? ArchiveSql.incrementalVacuum(d, 256) : null),
    restoreTransaction: (d) => ArchiveSql.restoreTransaction(d, { id: 'tx_1', type: 'recharge', status: 'completed' }),
    restoreEvent: (d) => ArchiveSql.restoreEvent(d, { id: 1, transaction_id: 'tx_1', to_status: 'completed' }),
  },
  'pin-limits': {
    ensure: (d) => PinLimitsSql.ensure(d, 'number:77123456', '77123456', null, T),
    lock: (d) => PinLimitsSql.lock(d, 'number:77123456'),
    read: (d) => PinLimitsSql.read(d, ['address:77123456@203.0.113.1', 'number:77123456']),
    write: (d) => PinLimitsSql.write(d, 'number:77123456', pinState, T),
    locksInForce: (d) => PinLimitsSql.locksInForce(d, T, 500),
    countLocksOf: (d) => PinLimitsSql.countLocksOf(d, '77123456', T),
    liftAll: (d) => PinLimitsSql.liftAll(d, '77123456', T),
  },
};

/** The statement modules and their builders, for the completeness spec. */
export const STATEMENT_MODULES: Record<string, object> = {
  transactions: TransactionsSql,
  'transaction-counts': TransactionCountsSql,
  'transaction-events': TransactionEventsSql,
  'transaction-search': TransactionSearchSql,
  outbox: OutboxSql,
  callboxes: CallBoxesSql,
  'callbox-config': CallBoxConfigSql,
  'sync-state': SyncStateSql,
  leader: LeaderSql,
  'work-signal': WorkSignalSql,
  'command-journal': CommandJournalSql,
  'pin-limits': PinLimitsSql,
  archive: ArchiveSql,
};
