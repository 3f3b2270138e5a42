import type { BoxHealth } from './box-health';
import type { CallBox } from './callbox';

type Row = Record<string, unknown>;
const json = <T>(v: unknown): T | null => (typeof v === 'string' && v.length > 0 ? (JSON.parse(v) as T) : null);

/** A row of `callboxes` as either driver returns it (PostgreSQL gives BIGINT back as text). */
export function toCallBox(row: Row): CallBox {
  return {
    id: row.id as string,
    reportedStatus: row.reported_status as string,
    connection: row.connection as CallBox['connection'],
    maxConcurrent: Number(row.max_concurrent),
    supportedTypes: (row.supported_types as string).split(',').filter(Boolean) as CallBox['supportedTypes'],
    operators: json<string[]>(row.operators),
    version: (row.version as string | null) ?? null,
    location: (row.location as string | null) ?? null,
    queueSize: Number(row.queue_size),
    metrics: json<Record<string, unknown>>(row.metrics),
    lastHeartbeatAt: Number(row.last_heartbeat_at),
    registeredAt: Number(row.registered_at),
    ...toHealth(row),
  };
}

export function toHealth(row: Row): BoxHealth {
  return {
    recentOutcomes: (row.recent_outcomes as string | null) ?? '',
    consecutiveFailures: Number(row.consecutive_failures ?? 0),
    degradedUntil: row.degraded_until === null || row.degraded_until === undefined ? null : Number(row.degraded_until),
    degradedReason: (row.degraded_reason as string | null) ?? null,
  };
}
