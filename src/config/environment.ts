import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
const emptyAsUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

export const DEFAULT_DATABASE_POOL_SIZE = 20;

/** The raw environment, as the process receives it; every name is listed in the README. */
export class Environment {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @Matches(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
    message: 'DATABASE_URL must look like sqlite:<path> or postgres://user@host:port/db',
  })
  DATABASE_URL = 'sqlite:./data/merecharge.sqlite';

  /**
   * PostgreSQL by parts, instead of DATABASE_URL (not both): the password is taken as it is, so a
   * password with `/`, `#`, `@` or `%` needs no encoding (the URL is built with each part encoded).
   */
  @Transform(emptyAsUndefined) @IsOptional() @IsString()
  DATABASE_HOST?: string;

  @Transform(toInt) @IsInt() @Min(1) @Max(65535)
  DATABASE_PORT = 5432;

  @Transform(emptyAsUndefined) @IsOptional() @IsString()
  DATABASE_USER?: string;

  @IsOptional() @IsString()
  DATABASE_PASSWORD?: string;

  @Transform(emptyAsUndefined) @IsOptional() @IsString()
  DATABASE_NAME?: string;

  /** Connection attempts at boot before the process gives up (a database still starting, a network not up yet). */
  @Transform(toInt) @IsInt() @Min(1) @Max(100)
  DATABASE_CONNECT_ATTEMPTS = 10;

  /** The wait after the first failed attempt at boot; it doubles after each one, up to 10 s. */
  @Transform(toInt) @IsInt() @Min(10) @Max(60_000)
  DATABASE_CONNECT_RETRY_MS = 1_000;

  /**
   * How a SQLite COMMIT reaches the disk: `thread` (the default: committed with synchronous NORMAL,
   * then the WAL flushed on a thread of its own before anything is answered) or `full` (SQLite's
   * FULL: the fsync inside each COMMIT, on the event loop). Unused on PostgreSQL.
   */
  @Transform(emptyAsUndefined) @IsOptional() @IsIn(['thread', 'full'])
  SQLITE_SYNC?: 'thread' | 'full';

  /** PostgreSQL connections per replica (unused on SQLite); the default is sized in the README. */
  @Transform(toInt) @IsInt() @Min(1) @Max(500)
  DATABASE_POOL_SIZE = DEFAULT_DATABASE_POOL_SIZE;

  @Transform(emptyAsUndefined) @IsOptional() @IsString() @MinLength(16, { message: 'CALLBOX_TOKEN must be at least 16 characters' })
  CALLBOX_TOKEN?: string;

  @Transform(emptyAsUndefined) @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}:[^,:\s]{16,}(,[A-Za-z0-9_-]{1,64}:[^,:\s]{16,})*$/, {
    message: 'CALLBOX_TOKENS must be callboxId:token pairs separated by commas, each token at least 16 characters',
  })
  CALLBOX_TOKENS?: string;

  @Transform(emptyAsUndefined) @IsOptional() @IsString() @MinLength(16, { message: 'API_KEY must be at least 16 characters' })
  API_KEY?: string;

  @Transform(toInt) @IsInt() @Min(1) @Max(100)
  MAX_BATCH_SIZE = 5;

  @Transform(toInt) @IsInt() @Min(0) @Max(10)
  MAX_RETRIES = 3;

  @Transform(toInt) @IsInt() @Min(1000) @Max(3_600_000)
  TRANSACTION_TIMEOUT_MS = 30_000;

  @Transform(toInt) @IsInt() @Min(500) @Max(300_000)
  POLL_INTERVAL_MS = 5_000;

  /**
   * The longest a poll with `waitMs` is held when the box has nothing (long polling); a larger
   * `waitMs` is cut to it. 0 turns long polling off: every poll is answered at once.
   */
  @Transform(toInt) @IsInt() @Min(0) @Max(25_000)
  LONG_POLL_MAX_WAIT_MS = 25_000;

  @Transform(toInt) @IsInt() @Min(100) @Max(3_600_000)
  RETRY_BASE_DELAY_MS = 5_000;

  @Transform(toInt) @IsInt() @Min(100) @Max(86_400_000)
  RETRY_MAX_DELAY_MS = 300_000;

  @Transform(toInt) @IsInt() @Min(1000) @Max(3_600_000)
  HEARTBEAT_TIMEOUT_MS = 30_000;

  /**
   * How long a box that keeps heartbeating may hold work it started (`processing`) before it goes to
   * needs_review; TRANSACTION_TIMEOUT_MS (`timeoutMs`) bounds only work not yet started.
   */
  @Transform(toInt) @IsInt() @Min(1000) @Max(86_400_000)
  PROCESSING_HARD_LIMIT_MS = 10 * 60_000;

  @Transform(emptyAsUndefined) @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'TOPUP_SOAP_URL must be an http(s) URL' })
  TOPUP_SOAP_URL?: string;

  @Transform(emptyAsUndefined) @IsOptional() @IsString()
  TOPUP_SOAP_USERNAME?: string;

  @Transform(emptyAsUndefined) @IsOptional() @IsString()
  TOPUP_SOAP_PASSWORD?: string;

  @Transform(toInt) @IsInt() @Min(100) @Max(3_600_000)
  SYNC_INTERVAL_MS = 10_000;

  /** How long a sick box (failing, or sitting on work past its lease) gets no new work. */
  @Transform(toInt) @IsInt() @Min(1000) @Max(86_400_000)
  DEGRADED_COOLDOWN_MS = 5 * 60_000;

  /** How long a box is not offered again work it gave back (a hand-back, or a failure while degraded). */
  @Transform(toInt) @IsInt() @Min(0) @Max(86_400_000)
  HAND_BACK_AVOID_MS = 60_000;

  /** Pending work older than this expires instead of reaching a box late. */
  @Transform(toInt) @IsInt() @Min(1000) @Max(7 * 86_400_000)
  PENDING_TTL_MS = 15 * 60_000;

  @Transform(emptyAsUndefined) @IsOptional()
  @Matches(/^(recharge|voucher|deposit|withdraw):\d{4,9}(,(recharge|voucher|deposit|withdraw):\d{4,9})*$/, {
    message: 'PENDING_TTL_BY_TYPE must be type:ms pairs separated by commas, e.g. recharge:600000,deposit:3600000',
  })
  PENDING_TTL_BY_TYPE?: string;

  @Transform(toInt) @IsInt() @Min(0) @Max(3_600_000)
  SYNC_AUTOSTART_DELAY_MS = 2_000;

  @Transform(emptyAsUndefined) @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'MAIN_CALLBACK_URL must be an http(s) URL' })
  MAIN_CALLBACK_URL?: string;

  @Transform(emptyAsUndefined) @IsOptional() @IsString() @MinLength(16, { message: 'CALLBACK_SECRET must be at least 16 characters' })
  CALLBACK_SECRET?: string;

  @Transform(toInt) @IsInt() @Min(1000) @Max(600_000)
  TOPUP_BREAKER_RESET_MS = 30_000;

  @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  TOPUP_BREAKER_MIN_CALLS = 5;

  @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000)
  TOPUP_RATE_LIMIT_PER_MINUTE = 120;

  @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000)
  RATE_LIMIT_PER_MINUTE = 600;

  /** The main system (x-api-key) pushes work for the whole fleet: its own, far larger, allowance. */
  @Transform(toInt) @IsInt() @Min(1) @Max(10_000_000)
  MAIN_RATE_LIMIT_PER_MINUTE = 120_000;

  @Transform(emptyAsUndefined) @IsOptional() @IsString() @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  /**
   * Key of the HMAC stored with each TopUp command, so a replay of its transaction_id gets the
   * recorded answer only with the PIN of the original (PINs themselves are never stored).
   */
  @Transform(emptyAsUndefined) @IsOptional() @IsString() @MinLength(32, { message: 'PIN_HASH_KEY must be at least 32 characters' })
  PIN_HASH_KEY?: string;

  /**
   * Spec 004 "Timeout par requête": a TopUp request is answered within this. A command still running
   * then is answered 503 with `outcome_unknown: true` and its transaction_id, and records its answer.
   */
  @Transform(toInt) @IsInt() @Min(1000) @Max(60_000)
  TOPUP_REQUEST_TIMEOUT_MS = 60_000;

  /** Requests failing authentication per minute per client address, before they are answered 429 at once. */
  @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000)
  AUTH_FAILURE_LIMIT_PER_MINUTE = 60;

  /**
   * The proxies whose X-Forwarded-For is believed (addresses or CIDRs, comma-separated). Unset: the
   * client address is the socket's, and X-Forwarded-For is ignored.
   */
  @Transform(emptyAsUndefined) @IsOptional()
  @Matches(/^[0-9A-Fa-f.:]+(\/\d{1,3})?(,\s*[0-9A-Fa-f.:]+(\/\d{1,3})?)*$/, {
    message: 'TRUST_PROXY must be proxy addresses or CIDRs separated by commas, e.g. 10.0.0.5,10.1.0.0/16',
  })
  TRUST_PROXY?: string;

  /** Lets TopUp callers ask for a `debug` object with `X-Debug: true`. */
  @IsOptional() @IsIn(['true', 'false'])
  DEBUG_HEADER_ENABLED?: 'true' | 'false';

  /**
   * Retention (off when unset): `npm run archive` without --before archives final transactions
   * created more than this many days ago, and prunes answered TopUp journal entries as old (their
   * replay window). Never below 7: a replay days later must still find its command.
   */
  @Transform((input) => toInt({ value: emptyAsUndefined(input) })) @IsOptional() @IsInt() @Min(7) @Max(3650)
  RETENTION_DAYS?: number;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** JSON lines, or text for a person (unset: text at a terminal outside production, else JSON). */
  @IsOptional() @IsIn(['json', 'pretty'])
  LOG_FORMAT?: 'json' | 'pretty';
}

export interface EnvironmentProblem {
  variable: string;
  problems: string[];
}

export function parseEnvironment(source: NodeJS.ProcessEnv): { env: Environment; problems: EnvironmentProblem[] } {
  const env = plainToInstance(Environment, { ...source }, { exposeDefaultValues: true });
  const problems = validateSync(env, { skipMissingProperties: false }).map((error) => ({
    variable: error.property,
    problems: Object.values(error.constraints ?? {}),
  }));
  return { env, problems };
}
