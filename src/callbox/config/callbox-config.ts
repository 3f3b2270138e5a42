/** The settings a box runs with; the spec's `config` object. */
export interface CallBoxSettings {
  maxRetries: number;
  timeoutMs: number;
  batchSize: number;
  pollIntervalMs: number;
}

/** The settings as told to a box: its own, and what the server offers it (long polling). */
export interface AdvertisedSettings extends CallBoxSettings {
  /** The longest `waitMs` a poll is held for (LONG_POLL_MAX_WAIT_MS); 0: long polling off. */
  longPollMaxWaitMs: number;
}

export const GLOBAL_SCOPE = 'global';

/** The global row, or one box's override; absent fields fall back to the next level. */
export abstract class CallBoxConfigRepository {
  /** Every stored scope: the global row and each box's override. */
  abstract findAll(): Promise<Map<string, Partial<CallBoxSettings>>>;
  abstract merge(scope: string, changes: Partial<CallBoxSettings>, now: number): Promise<void>;
}
