import { statement, Statement } from '../../database/statement';

/** The channel every replica listens on for work another replica created (PostgreSQL only). */
export const WORK_CHANNEL = 'merecharge_work';

/** Cross-replica wake-ups of held polls: NOTIFY from the pool, LISTEN on a connection of its own. */
export const WorkSignalSql = {
  notify: (payload: string): Statement => statement('SELECT pg_notify(?, ?)', [WORK_CHANNEL, payload]),
  listen: `LISTEN ${WORK_CHANNEL}`,
} as const;
