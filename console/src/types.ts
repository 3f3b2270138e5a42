/** The shapes of the API's answers the console reads (see /api/docs). */
export interface TransactionEvent {
  from: string | null;
  to: string;
  actor: string;
  at: string;
  details: Record<string, unknown> | null;
}

export interface Transaction {
  id: string;
  type: string;
  phoneNumber: string;
  amount: number | null;
  payItemId: string;
  customerInfo: { name?: string; operator?: string } | null;
  priority: string;
  status: string;
  createdAt: string;
  assignedTo: string | null;
  retryCount: number;
  maxRetries: number;
  updatedAt: string;
  startedAt: string | null;
  completedAt: string | null;
  attempt: number;
  result: Record<string, unknown> | null;
  events?: TransactionEvent[];
}

export interface TransactionPage {
  transactions: Transaction[];
  nextCursor: string | null;
}

export interface Box {
  id: string;
  status: string;
  lastHeartbeat: string;
  heartbeatAgeMs: number;
  queueSize: number;
  processedTransactions: number;
  version: string | null;
  location: string | null;
  maxConcurrentTransactions: number;
  supportedTypes: string[];
  operators: string[] | null;
  load: { inFlight: number; maxConcurrent: number };
  reported: { status: string; queueSize: number; uptime: number | null; memoryUsage: number | null; processedTransactions: number | null; at: string; metricsAt: string | null };
  degradedUntil: string | null;
  degradedReason: string | null;
}

export interface Overview {
  byStatus: Record<string, number>;
  finishedPerMinute: Array<{ minute: string; completed: number; failed: number }>;
  fleet: { connected: number; notActive: number; degraded: number; disconnected: number };
  callbackBacklog: number;
  soap: { breaker: string; callsSinceStart: Record<string, number> };
  at: string;
}

export interface TickCounts {
  disconnected: number;
  requeued: number;
  needsReview: number;
  retried: number;
  failed: number;
  assigned: number;
  expired: number;
}

export interface SyncStatus extends TickCounts {
  running: boolean;
  intervalMs: number;
  lastRunAt: string | null;
  lastRunDurationMs: number | null;
  totalRuns: number;
  nextRunAt: string | null;
  connectedInstances: number;
  changedBy: string | null;
  changedAt: string | null;
  leader: boolean;
  instanceId: string;
}

export interface BoxConfig {
  maxRetries: number;
  timeoutMs: number;
  batchSize: number;
  pollIntervalMs: number;
}

export interface PinLock {
  msisdn: string;
  scope: string;
  clientAddress: string | null;
  lockedUntil: string;
  locks: number;
}
