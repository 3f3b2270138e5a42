import { DomainError } from '../common/errors/domain-error';
import type { Transaction, TransactionStatus } from './transaction';
import { canTransition, DeviceReport, guardedStep, planAdminResolution, planDeviceReport } from './transaction-state-machine';

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
    attempt: 1,
    releasedBy: null,
    releasedUntil: null,
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
    releaseMs: 60_000,
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

  it('lets a box hand back work it has not started, and keeps it from that box for a while', () => {
    const sut = planDeviceReport(transaction(), report('pending'));
    expect(sut?.to).toBe('pending');
    expect(sut?.patch).toMatchObject({ assignedTo: null, assignedAt: null, releasedBy: 'callbox_001', releasedUntil: NOW + 60_000 });
    expect(sut?.boxOutcome).toBeUndefined();
  });

  it('counts a second hand-back of the same work by the same box against the box', () => {
    const sut = planDeviceReport(transaction({ attempt: 2, releasedBy: 'callbox_001', releasedUntil: NOW - 1 }), report('pending'));
    expect(sut).toMatchObject({ to: 'pending', boxOutcome: 'failure', details: { repeatedHandBack: true } });
    const byAnother = planDeviceReport(transaction({ attempt: 2, releasedBy: 'callbox_002' }), report('pending'));
    expect(byAnother?.boxOutcome).toBeUndefined();
  });

  it.each<TransactionStatus>(['retry', 'processing', 'needs_review'])('refuses to take back %s work (409): only unstarted work is handed back', (status) => {
    expect(codeOf(() => planDeviceReport(transaction({ status, retryCount: 1 }), report('pending')))).toBe('TRANSACTION.ILLEGAL_TRANSITION');
  });

  it('says what each report means for the box: completed a success, failed a failure, processing nothing', () => {
    expect(planDeviceReport(transaction({ status: 'processing' }), report('completed'))?.boxOutcome).toBe('success');
    expect(planDeviceReport(transaction({ status: 'processing' }), report('failed'))?.boxOutcome).toBe('failure');
    expect(planDeviceReport(transaction({ status: 'processing', retryCount: 3 }), report('failed'))?.boxOutcome).toBe('failure');
    expect(planDeviceReport(transaction(), report('processing'))?.boxOutcome).toBeUndefined();
  });

  describe('attempts', () => {
    it('records the attempt reported on in the event', () => {
      expect(planDeviceReport(transaction({ attempt: 3 }), report('processing', { attempt: 3 }))?.details).toMatchObject({ attempt: 3 });
    });

    it.each<[TransactionStatus, TransactionStatus]>([
      ['assigned', 'completed'],
      ['assigned', 'failed'],
      ['processing', 'completed'],
      ['processing', 'processing'],
      ['retry', 'failed'],
      ['completed', 'completed'],
      ['assigned', 'pending'],
    ])('refuses a report naming another attempt (%s, reported %s) with TRANSACTION.STALE_ATTEMPT', (status, reported) => {
      const sut = () => planDeviceReport(transaction({ status, attempt: 2 }), report(reported, { attempt: 1 }));
      expect(codeOf(sut)).toBe('TRANSACTION.STALE_ATTEMPT');
    });

    it('still refuses another box first (403), whatever attempt it names', () => {
      const sut = () => planDeviceReport(transaction({ attempt: 2 }), report('completed', { callboxId: 'callbox_002', attempt: 1 }));
      expect(codeOf(sut)).toBe('TRANSACTION.NOT_ASSIGNED_TO_CALLBOX');
    });

    it.each<TransactionStatus>(['completed', 'failed'])(
      'refuses %s without an attempt on re-dispatched work not started in this attempt: report processing first',
      (reported) => {
        const sut = () => planDeviceReport(transaction({ attempt: 2, retryCount: 1 }), report(reported));
        expect(codeOf(sut)).toBe('TRANSACTION.PROCESSING_REPORT_REQUIRED');
      },
    );

    it('takes an outcome on re-dispatched work once it was started in this attempt, or when the report names the attempt', () => {
      expect(planDeviceReport(transaction({ attempt: 2, status: 'processing' }), report('completed'))?.to).toBe('completed');
      expect(planDeviceReport(transaction({ attempt: 2 }), report('processing'))?.to).toBe('processing');
      expect(planDeviceReport(transaction({ attempt: 2 }), report('completed', { attempt: 2 }))?.to).toBe('completed');
    });

    it('keeps assigned -> completed/failed without an attempt on the first one (firmware that skips processing)', () => {
      expect(planDeviceReport(transaction({ attempt: 1 }), report('completed'))?.to).toBe('completed');
      expect(planDeviceReport(transaction({ attempt: 1 }), report('failed'))?.to).toBe('retry');
    });

    it('treats a repeat naming the current attempt as a no-op', () => {
      expect(planDeviceReport(transaction({ status: 'processing', attempt: 2 }), report('processing', { attempt: 2 }))).toBeNull();
      expect(planDeviceReport(transaction({ status: 'retry', attempt: 2 }), report('failed', { attempt: 2 }))).toBeNull();
    });
  });

  describe('a failure from a degraded box', () => {
    it.each<TransactionStatus>(['assigned', 'processing'])('puts %s work back in the queue without using a retry, away from that box', (status) => {
      const failure = { success: false, errorCode: 'SIM_ERROR' };
      const sut = planDeviceReport(transaction({ status, retryCount: 1 }), report('failed', { boxDegraded: true, result: failure }));
      expect(sut).toMatchObject({ to: 'pending', boxOutcome: 'failure', details: { charged: false, reason: 'callbox_degraded' } });
      expect(sut?.patch).toEqual({
        assignedTo: null,
        assignedAt: null,
        leaseExpiresAt: null,
        result: failure,
        releasedBy: 'callbox_001',
        releasedUntil: NOW + 60_000,
      });
    });

    it('is charged as usual from needs_review (the box was lost, not sick at the time)', () => {
      expect(planDeviceReport(transaction({ status: 'needs_review' }), report('failed', { boxDegraded: true }))?.to).toBe('retry');
    });

    it('answers its repeat with a no-op', () => {
      const requeued = transaction({ status: 'pending', assignedTo: null, releasedBy: 'callbox_001', releasedUntil: NOW + 60_000 });
      expect(planDeviceReport(requeued, report('failed'))).toBeNull();
      expect(codeOf(() => planDeviceReport(requeued, report('failed', { callboxId: 'callbox_002' })))).toBe('TRANSACTION.NOT_ASSIGNED_TO_CALLBOX');
    });
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

describe(guardedStep.name, () => {
  it.each([
    { status: 'processing' as const, from: 'assigned' as const, attempt: 1 },
    { status: 'processing' as const, from: 'assigned' as const, attempt: 3 },
    { status: 'completed' as const, from: 'processing' as const, attempt: 1 },
    { status: 'completed' as const, from: 'processing' as const, attempt: 3 },
  ])('$status (attempt $attempt) is the step planDeviceReport takes from the state it guards on', ({ status, from, attempt }) => {
    const device = report(status, { attempt, result: status === 'completed' ? { success: true, transactionRef: 'MTN1' } : null });
    const guarded = guardedStep(device)!;
    const held = transaction({ ...guarded.from, retryCount: attempt - 1, startedAt: from === 'processing' ? NOW - 1_000 : null });

    expect(guarded.from).toEqual({ status: from, assignedTo: 'callbox_001', attempt });
    expect(guarded.step).toEqual(planDeviceReport(held, device));
  });

  it.each([
    ['a failure', report('failed', { attempt: 1 })],
    ['a hand-back', report('pending', { attempt: 1 })],
    ['a processing report that names no attempt', report('processing')],
    ['an outcome that names no attempt', report('completed')],
  ])('leaves %s to the locked path', (_name, device) => {
    expect(guardedStep(device)).toBeNull();
  });
});

describe(canTransition.name, () => {
  it('moves started work back to the queue only as a failure its box reported (processing -> pending)', () => {
    expect(canTransition('processing', 'pending')).toBe(true);
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

  it("records the operator's reference the admin found on a completed one, as a box would report it", () => {
    const sut = planAdminResolution(transaction({ status: 'needs_review', result: null }), {
      outcome: 'completed',
      note: 'Vu chez MTN',
      now: NOW,
      transactionRef: 'MTN999',
    });
    expect(sut.details).toEqual({ note: 'Vu chez MTN', transactionRef: 'MTN999' });
    expect(sut.patch.result).toEqual({ transactionRef: 'MTN999', resolution: { outcome: 'completed', note: 'Vu chez MTN', by: 'admin', transactionRef: 'MTN999' } });
  });

  it('keeps no reference on a failed one (nothing was executed)', () => {
    const sut = planAdminResolution(transaction({ status: 'needs_review', result: null }), { outcome: 'failed', note: 'rien', now: NOW, transactionRef: 'X1' });
    expect(sut.details).toEqual({ note: 'rien' });
    expect(sut.patch.result).toEqual({ resolution: { outcome: 'failed', note: 'rien', by: 'admin' } });
  });

  it.each<TransactionStatus>(['pending', 'assigned', 'processing', 'completed', 'failed', 'retry'])(
    'refuses to settle a transaction in %s',
    (status) => {
      const sut = () => planAdminResolution(transaction({ status }), { outcome: 'failed', note: null, now: NOW });
      expect(codeOf(sut)).toBe('TRANSACTION.NOT_IN_REVIEW');
    },
  );
});
