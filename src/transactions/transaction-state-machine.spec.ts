import { DomainError } from '../common/errors/domain-error';
import type { Transaction, TransactionStatus } from './transaction';
import { canTransition, DeviceReport, planAdminResolution, planDeviceReport } from './transaction-state-machine';

const NOW = Date.parse('2026-01-15T10:00:00Z');

function transaction(overrides: Partial<Transaction> = {}): Transaction {
  return {
    id: 'tx_1768471200_abc123',
    type: 'recharge',
    phoneNumber: '+237677123456',
    amount: 1000,
    payItemId: 'MTN_RECHARGE_1000',
    customerInfo: { name: 'Jean Dupont', operator: 'MTN' },
    priority: 'normal',
    status: 'assigned',
    assignedTo: 'callbox_001',
    retryCount: 0,
    maxRetries: 3,
    result: null,
    source: 'callbox',
    createdAt: NOW - 60_000,
    updatedAt: NOW - 30_000,
    assignedAt: NOW - 30_000,
    startedAt: null,
    completedAt: null,
    nextAttemptAt: null,
    leaseExpiresAt: NOW,
    ...overrides,
  };
}

function report(status: TransactionStatus, overrides: Partial<DeviceReport> = {}): DeviceReport {
  return {
    callboxId: 'callbox_001',
    status,
    result: null,
    now: NOW,
    leaseMs: 30_000,
    retryDelayMs: (retryCount) => 1000 * retryCount,
    ...overrides,
  };
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a domain error';
  }
  return undefined;
}

describe(planDeviceReport.name, () => {
  it('starts work: assigned -> processing records the start and a lease from now', () => {
    const sut = planDeviceReport(transaction(), report('processing'));
    expect(sut).toMatchObject({ to: 'processing', actor: 'callbox:callbox_001', at: NOW });
    expect(sut?.patch).toEqual({ startedAt: NOW, leaseExpiresAt: NOW + 30_000 });
  });

  it('completes work with its result and completion time', () => {
    const result = { success: true, transactionRef: 'MTN123456789', balance: 2500 };
    const sut = planDeviceReport(transaction({ status: 'processing' }), report('completed', { result }));
    expect(sut?.to).toBe('completed');
    expect(sut?.patch).toMatchObject({ result, completedAt: NOW, leaseExpiresAt: null });
  });

  it('turns a failure with retries left into a retry, counting the attempt and waiting the backoff', () => {
    const sut = planDeviceReport(transaction({ status: 'processing', retryCount: 1 }), report('failed'));
    expect(sut?.to).toBe('retry');
    expect(sut?.patch).toMatchObject({ retryCount: 2, nextAttemptAt: NOW + 2000 });
  });

  it('keeps a failure final when no retry is left', () => {
    const sut = planDeviceReport(transaction({ status: 'processing', retryCount: 3, maxRetries: 3 }), report('failed'));
    expect(sut?.to).toBe('failed');
    expect(sut?.patch).toMatchObject({ completedAt: NOW });
  });

  it.each<[TransactionStatus, TransactionStatus]>([
    ['processing', 'processing'],
    ['completed', 'completed'],
    ['failed', 'failed'],
    ['retry', 'failed'],
  ])('treats a repeated report (%s, reported %s) as a no-op', (current, reported) => {
    expect(planDeviceReport(transaction({ status: current }), report(reported))).toBeNull();
  });

  it('lets a box hand back work it has not started', () => {
    const sut = planDeviceReport(transaction(), report('pending'));
    expect(sut?.to).toBe('pending');
    expect(sut?.patch).toMatchObject({ assignedTo: null, assignedAt: null });
  });

  it.each<[TransactionStatus, TransactionStatus]>([
    ['completed', 'processing'],
    ['failed', 'completed'],
    ['processing', 'pending'],
    ['assigned', 'retry'],
    ['processing', 'assigned'],
  ])('refuses %s -> %s with TRANSACTION.ILLEGAL_TRANSITION', (current, reported) => {
    expect(codeOf(() => planDeviceReport(transaction({ status: current }), report(reported)))).toBe(
      'TRANSACTION.ILLEGAL_TRANSITION',
    );
  });

  it("refuses a report on another box's transaction", () => {
    const sut = () => planDeviceReport(transaction(), report('completed', { callboxId: 'callbox_002' }));
    expect(codeOf(sut)).toBe('TRANSACTION.NOT_ASSIGNED_TO_CALLBOX');
  });

  it('refuses a report on a transaction assigned to nobody', () => {
    const sut = () => planDeviceReport(transaction({ status: 'pending', assignedTo: null }), report('completed'));
    expect(codeOf(sut)).toBe('TRANSACTION.NOT_ASSIGNED_TO_CALLBOX');
  });

  it('lets the box that held a needs_review transaction settle it', () => {
    expect(planDeviceReport(transaction({ status: 'needs_review' }), report('completed'))?.to).toBe('completed');
  });
});

describe(canTransition.name, () => {
  it('never moves started work back to the queue', () => {
    expect(canTransition('processing', 'pending')).toBe(false);
    expect(canTransition('processing', 'assigned')).toBe(false);
    expect(canTransition('needs_review', 'pending')).toBe(false);
  });

  it('has no way out of a final state', () => {
    for (const to of ['pending', 'assigned', 'processing', 'retry', 'needs_review'] as TransactionStatus[]) {
      expect(canTransition('completed', to)).toBe(false);
      expect(canTransition('failed', to)).toBe(false);
    }
  });
});

describe(planAdminResolution.name, () => {
  it('settles a transaction in review, keeping the note with the result', () => {
    const sut = planAdminResolution(transaction({ status: 'needs_review', result: { success: false } }), {
      outcome: 'completed',
      note: 'Confirmed with MTN: ref MTN123',
      now: NOW,
    });
    expect(sut).toMatchObject({ to: 'completed', actor: 'admin', details: { note: 'Confirmed with MTN: ref MTN123' } });
    expect(sut.patch.result).toEqual({
      success: false,
      resolution: { outcome: 'completed', note: 'Confirmed with MTN: ref MTN123', by: 'admin' },
    });
  });

  it.each<TransactionStatus>(['pending', 'assigned', 'processing', 'completed', 'failed', 'retry'])(
    'refuses to settle a transaction in %s',
    (status) => {
      const sut = () => planAdminResolution(transaction({ status }), { outcome: 'failed', note: null, now: NOW });
      expect(codeOf(sut)).toBe('TRANSACTION.NOT_IN_REVIEW');
    },
  );
});
