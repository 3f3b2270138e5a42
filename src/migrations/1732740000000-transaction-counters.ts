import { MigrationInterface, QueryRunner } from 'typeorm';

/** Rows counted per backfill statement: each one well under the pool's 15 s query timeout on 10 M rows. */
const BACKFILL_BATCH = 100_000;

/**
 * What one row of `transactions` contributes to the counters: its type and status; the box, for the
 * per-box processed counts (completed or failed work only); and the sums behind the mean processing
 * time (completed work that recorded its start). `r` is the row's alias.
 */
const contribution = (r: string) => `${r}.type AS type, ${r}.status AS status,
  CASE WHEN ${r}.status IN ('completed', 'failed') THEN COALESCE(${r}.assigned_to, '') ELSE '' END AS callbox_id,
  CASE WHEN ${r}.status = 'completed' AND ${r}.started_at IS NOT NULL AND ${r}.completed_at IS NOT NULL THEN 1 ELSE 0 END AS timed,
  CASE WHEN ${r}.status = 'completed' AND ${r}.started_at IS NOT NULL AND ${r}.completed_at IS NOT NULL
    THEN ${r}.completed_at - ${r}.started_at ELSE 0 END AS processing_ms`;

const KEY = 'type, status, callbox_id';
const VALUES = 'n, timed, processing_ms';
const ADD_EXCLUDED = `n = transaction_counts.n + excluded.n, timed = transaction_counts.timed + excluded.timed,
  processing_ms = transaction_counts.processing_ms + excluded.processing_ms`;

/**
 * Counters of `transactions` (by type, status, and box for finished work, with the sums behind the
 * mean processing time), kept by triggers in the same database transaction as every write of the
 * table, whatever path writes it: the stats and the metrics read a few dozen rows instead of
 * counting millions.
 *
 * SQLite has one writer: its row triggers add to `transaction_counts` directly. On PostgreSQL a
 * counter row updated by every transition would serialise all writers (and two units updating two
 * rows in different orders deadlock), so each statement appends its net change to
 * `transaction_count_deltas` (insert-only, no row shared between writers) and a background job folds
 * them in small batches; a read sums both tables in one statement, so it is exact at its snapshot.
 */
export class TransactionCounters1732740000000 implements MigrationInterface {
  name = 'TransactionCounters1732740000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    await queryRunner.query(
      `CREATE TABLE transaction_counts (
        type varchar(16) NOT NULL, status varchar(16) NOT NULL, callbox_id varchar(64) NOT NULL,
        n bigint NOT NULL, timed bigint NOT NULL, processing_ms bigint NOT NULL,
        PRIMARY KEY (type, status, callbox_id))`,
    );
    await queryRunner.query(
      `CREATE TABLE transaction_count_deltas (
        id ${postgres ? 'bigserial PRIMARY KEY' : 'integer PRIMARY KEY AUTOINCREMENT'},
        type varchar(16) NOT NULL, status varchar(16) NOT NULL, callbox_id varchar(64) NOT NULL,
        n bigint NOT NULL, timed bigint NOT NULL, processing_ms bigint NOT NULL)`,
    );
    if (postgres) await this.postgresTriggers(queryRunner);
    else await this.sqliteTriggers(queryRunner);
    // In this migration's transaction: on PostgreSQL CREATE TRIGGER holds writers back until the
    // commit, so every row is either counted here or, written later, by the triggers.
    await this.backfill(queryRunner, postgres);
  }

  private async sqliteTriggers(queryRunner: QueryRunner): Promise<void> {
    const add = (r: 'NEW' | 'OLD', sign: 1 | -1) =>
      `INSERT INTO transaction_counts (${KEY}, ${VALUES})
         SELECT type, status, callbox_id, ${sign}, ${sign} * timed, ${sign} * processing_ms FROM (SELECT ${contribution(r)}) WHERE true
         ON CONFLICT (${KEY}) DO UPDATE SET ${ADD_EXCLUDED};`;
    const changed = ['type', 'status', 'assigned_to', 'started_at', 'completed_at'].map((c) => `OLD.${c} IS NOT NEW.${c}`).join(' OR ');
    await queryRunner.query(`CREATE TRIGGER trg_transaction_counts_insert AFTER INSERT ON transactions BEGIN ${add('NEW', 1)} END`);
    await queryRunner.query(
      `CREATE TRIGGER trg_transaction_counts_update AFTER UPDATE ON transactions WHEN ${changed} BEGIN ${add('OLD', -1)} ${add('NEW', 1)} END`,
    );
    await queryRunner.query(`CREATE TRIGGER trg_transaction_counts_delete AFTER DELETE ON transactions BEGIN ${add('OLD', -1)} END`);
  }

  private async postgresTriggers(queryRunner: QueryRunner): Promise<void> {
    // One delta row per key a statement changed (a dispatch round of 500 rows appends a handful).
    const append = (signed: string) =>
      `INSERT INTO transaction_count_deltas (${KEY}, ${VALUES})
         SELECT ${KEY}, SUM(sign), SUM(sign * timed), SUM(sign * processing_ms) FROM (${signed}) c
         GROUP BY ${KEY} HAVING SUM(sign) <> 0 OR SUM(sign * timed) <> 0 OR SUM(sign * processing_ms) <> 0;`;
    const rows = (table: string, sign: 1 | -1) => `SELECT ${sign} AS sign, ${contribution('r')} FROM ${table} r`;
    const fn = (name: string, body: string) =>
      `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body} RETURN NULL; END $$`;
    await queryRunner.query(fn('transaction_counts_inserted', append(rows('new_rows', 1))));
    await queryRunner.query(fn('transaction_counts_updated', append(`${rows('new_rows', 1)} UNION ALL ${rows('old_rows', -1)}`)));
    await queryRunner.query(fn('transaction_counts_deleted', append(rows('old_rows', -1))));
    const trigger = (event: string, transition: string, name: string) =>
      `CREATE TRIGGER trg_transaction_counts_${event.toLowerCase()} AFTER ${event} ON transactions REFERENCING ${transition}
         FOR EACH STATEMENT EXECUTE FUNCTION ${name}()`;
    await queryRunner.query(trigger('INSERT', 'NEW TABLE AS new_rows', 'transaction_counts_inserted'));
    await queryRunner.query(trigger('UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows', 'transaction_counts_updated'));
    await queryRunner.query(trigger('DELETE', 'OLD TABLE AS old_rows', 'transaction_counts_deleted'));
  }

  /** The rows already there, counted in batches of BACKFILL_BATCH ids. */
  private async backfill(queryRunner: QueryRunner, postgres: boolean): Promise<void> {
    const p = (i: number) => (postgres ? `$${i}` : '?');
    // The primary key's own order (its index), whatever the database's collation.
    const id = 'id';
    let after: string | null = null;
    for (;;) {
      const from = after === null ? '' : `WHERE ${id} > ${p(1)}`;
      const [end] = (await queryRunner.query(
        `SELECT id FROM transactions ${from} ORDER BY ${id} LIMIT 1 OFFSET ${BACKFILL_BATCH - 1}`,
        after === null ? [] : [after],
      )) as Array<{ id: string }>;
      const range = [after === null ? null : `${id} > ${p(1)}`, end ? `${id} <= ${p(after === null ? 1 : 2)}` : null].filter(Boolean);
      const params = [...(after === null ? [] : [after]), ...(end ? [end.id] : [])];
      await queryRunner.query(
        `INSERT INTO transaction_counts (${KEY}, ${VALUES})
           SELECT ${KEY}, COUNT(*), SUM(timed), SUM(processing_ms) FROM (
             SELECT ${contribution('t')} FROM transactions t ${range.length ? `WHERE ${range.join(' AND ')}` : ''}) c
           GROUP BY ${KEY}
           ON CONFLICT (${KEY}) DO UPDATE SET ${ADD_EXCLUDED}`,
        params,
      );
      if (!end) return;
      after = end.id;
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    for (const event of ['insert', 'update', 'delete']) {
      await queryRunner.query(`DROP TRIGGER trg_transaction_counts_${event}${postgres ? ' ON transactions' : ''}`);
    }
    if (postgres) for (const name of ['inserted', 'updated', 'deleted']) await queryRunner.query(`DROP FUNCTION transaction_counts_${name}()`);
    await queryRunner.query('DROP TABLE transaction_count_deltas');
    await queryRunner.query('DROP TABLE transaction_counts');
  }
}
