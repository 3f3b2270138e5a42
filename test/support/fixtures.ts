import type { TransactionEvent, TransactionStatus } from '../../src/transactions/transaction';

/** Request bodies taken from the CallBox spec (000), for specs to start from. */
export const registration = (callboxId = 'callbox_001', overrides: Record<string, unknown> = {}) => ({
  callboxId,
  capabilities: { maxConcurrentTransactions: 5, supportedTypes: ['recharge', 'voucher', 'deposit', 'withdraw'] },
  version: '1.0.0',
  location: 'Douala Centre',
  ...overrides,
});

export const heartbeat = (callboxId = 'callbox_001') => ({
  callboxId,
  status: 'active',
  queueSize: 3,
  metrics: { uptime: 86400, memoryUsage: 45.2, processedTransactions: 152 },
});

export const rechargeSubmission = (overrides: Record<string, unknown> = {}) => ({
  type: 'recharge',
  phoneNumber: '+237677123456',
  amount: 1000,
  payItemId: 'MTN_RECHARGE_1000',
  customerInfo: { name: 'Jean Dupont', operator: 'MTN' },
  priority: 'normal',
  ...overrides,
});

/** A committed transition as TransactionTransitions publishes it, for specs of what follows them. */
export const transitionEvent = (from: TransactionStatus | null, to: TransactionStatus, transactionId = 'tx'): TransactionEvent => ({
  transactionId,
  from,
  to,
  actor: 'dispatcher',
  at: 0,
  details: null,
});
