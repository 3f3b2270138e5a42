import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DataSource, Logger, QueryFailedError } from 'typeorm';
import { Statement, statement } from './statement';
import type { UnitOfWork } from './unit-of-work';
import { MAX_UNITS_PER_COMMIT, SqliteGroupCommit } from './sqlite-group-commit';

/**
 * Every statement sent to SQLite, in order, whether through TypeORM (its logger sees each query) or
 * straight to the better-sqlite3 connection with `exec`: what honestly says how many transactions
 * were opened and committed, whichever layer issues BEGIN and COMMIT.
 */
class StatementLog implements Logger {
  statements: string[] = [];
  onStatement: (statement: string) => void = () => undefined;
  record(statement: string): void {
    this.statements.push(statement);
    this.onStatement(statement);
  }
  logQuery(query: string): void {
    this.record(query);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
  watch(connection: { exec(sql: string): unknown }): void {
    const exec = connection.exec.bind(connection);
    connection.exec = (sql: string) => {
      this.record(sql);
      return exec(sql);
    };
  }
}

interface RawConnection {
  readonly inTransaction: boolean;
  exec(sql: string): void;
  prepare(sql: string): { reader: boolean; all(...p: unknown[]): unknown[]; run(...p: unknown[]): { changes: number } };
}

const isBegin = (statement: string) => /^\s*BEGIN\b/i.test(statement);
const isCommit = (statement: string) => /^\s*(COMMIT|END)\b/i.test(statement);

describe(SqliteGroupCommit.name, () => {
  let dir: string;
  let dataSource: DataSource;
  let statements: StatementLog;
  /** A second connection: it sees only what is committed, so it tells what is durable. */
  let outside: BetterSqlite3.Database;
  let sut: SqliteGroupCommit;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
    const file = join(dir, 'db.sqlite');
    statements = new StatementLog();
    // The app's own SQLite settings (WAL, so the outside reader never blocks the writer).
    dataSource = new DataSource({ type: 'better-sqlite3', database: file, enableWAL: true, logger: statements });
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE)');
    await dataSource.query('CREATE TABLE parents (id INTEGER PRIMARY KEY)');
    await dataSource.query(
      'CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)',
    );
    statements.watch((dataSource.driver as unknown as { databaseConnection: { exec(sql: string): unknown } }).databaseConnection);
    outside = new BetterSqlite3(file, { readonly: true });
    statements.statements = [];
    const connection = (dataSource.driver as unknown as { databaseConnection: RawConnection }).databaseConnection;
    // What Database does: each statement straight to better-sqlite3, errors in TypeORM's shape.
    const runStatement = <Row>(s: Statement) => {
      try {
        const prepared = connection.prepare(s.text);
        if (prepared.reader) {
          const rows = prepared.all(...s.params) as Row[];
          return { rows, affected: rows.length };
        }
        return { rows: [] as Row[], affected: prepared.run(...s.params).changes };
      } catch (error) {
        throw new QueryFailedError(s.text, [...s.params], error as Error);
      }
    };
    sut = new SqliteGroupCommit(() => connection, runStatement);
  });

  afterEach(async () => {
    outside.close();
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (unit: UnitOfWork, label: string) => unit.run(statement('INSERT INTO items (label) VALUES (?)', [label]));
  const committedLabels = () => (outside.prepare('SELECT label FROM items ORDER BY label').all() as Array<{ label: string }>).map((r) => r.label);
  const begins = () => statements.statements.filter(isBegin).length;
  const commits = () => statements.statements.filter(isCommit).length;
  const afterCommit = (unit: UnitOfWork, hook: () => void) => unit.afterCommit(hook);
  const labels = (n: number, prefix = 'unit') => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);

  it('commits every unit submitted together and answers each caller with its own value, once durable', async () => {
    const names = labels(50);
    const durableWhenAnswered: boolean[] = [];
    const answers = await Promise.all(
      names.map((label) =>
        sut
          .run(async (manager) => {
            await insert(manager, label);
            return { label };
          })
          .then((answer) => {
            durableWhenAnswered.push(committedLabels().includes(label));
            return answer;
          }),
      ),
    );
    expect(answers).toEqual(names.map((label) => ({ label })));
    expect(committedLabels()).toEqual(names);
    expect(durableWhenAnswered).toEqual(names.map(() => true));
  });

  it('commits units that arrive together in one transaction', async () => {
    await Promise.all(labels(50).map((label) => sut.run((manager) => insert(manager, label))));
    expect(begins()).toBe(1);
    expect(commits()).toBe(1);
  });

  it(`puts at most MAX_UNITS_PER_COMMIT (${MAX_UNITS_PER_COMMIT}) units in one COMMIT`, async () => {
    const names = labels(MAX_UNITS_PER_COMMIT + 1);
    await Promise.all(names.map((label) => sut.run((manager) => insert(manager, label))));
    expect(commits()).toBe(2);
    expect(committedLabels()).toEqual(names);
  });

  it('rolls back a unit that throws after writing, alone, and rejects only its caller, with its own error', async () => {
    const failure = new Error('unit b changed its mind');
    const results = await Promise.allSettled([
      sut.run(async (manager) => {
        await insert(manager, 'a');
        return 'a';
      }),
      sut.run(async (manager) => {
        await insert(manager, 'b');
        await insert(manager, 'b2');
        throw failure;
      }),
      sut.run(async (manager) => {
        await insert(manager, 'c');
        return 'c';
      }),
    ]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 'a' },
      { status: 'rejected', reason: failure },
      { status: 'fulfilled', value: 'c' },
    ]);
    expect((results[1] as PromiseRejectedResult).reason).toBe(failure);
    expect(committedLabels()).toEqual(['a', 'c']);
    // They really shared the batch: the others were kept by the same COMMIT.
    expect(commits()).toBe(1);
  });

  it('rolls back the earlier writes of a unit whose later statement fails, and keeps the other units', async () => {
    const results = await Promise.allSettled([
      sut.run((manager) => insert(manager, 'taken')),
      sut.run(async (manager) => {
        await insert(manager, 'written-before-the-failure');
        await insert(manager, 'taken');
      }),
      sut.run((manager) => insert(manager, 'after')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(committedLabels()).toEqual(['after', 'taken']);
    expect(commits()).toBe(1);
  });

  it("runs a unit's afterCommit hooks after the COMMIT and before its caller is answered, only for units that committed", async () => {
    const log: string[] = [];
    statements.onStatement = (statement) => {
      if (isCommit(statement)) log.push('COMMIT');
    };
    const unit = (label: string, fail: boolean) =>
      sut
        .run(async (manager) => {
          await insert(manager, label);
          afterCommit(manager, () => log.push(`hook ${label}: ${committedLabels().includes(label) ? 'durable' : 'NOT durable'}`));
          if (fail) throw new Error(`${label} fails`);
        })
        .then(
          () => log.push(`answered ${label}`),
          () => log.push(`refused ${label}`),
        );

    await Promise.all([unit('a', false), unit('b', true), unit('c', false)]);
    expect(log.filter((entry) => entry.startsWith('hook'))).toEqual(['hook a: durable', 'hook c: durable']);
    const at = (entry: string) => log.indexOf(entry);
    expect(at('COMMIT')).toBeGreaterThanOrEqual(0);
    for (const label of ['a', 'c']) {
      expect(at(`hook ${label}: durable`)).toBeGreaterThan(at('COMMIT'));
      expect(at(`answered ${label}`)).toBeGreaterThan(at(`hook ${label}: durable`));
    }
    expect(log).toContain('refused b');
  });

  it('rejects every unit of the batch, keeps none of their rows and runs no hook when the COMMIT itself fails', async () => {
    const hooksRun: string[] = [];
    const unit = (label: string, work: (unit: UnitOfWork) => Promise<unknown>) =>
      sut.run(async (manager) => {
        await work(manager);
        afterCommit(manager, () => hooksRun.push(label));
        return label;
      });
    // A deferred foreign key is checked by COMMIT only: each savepoint is released, the COMMIT fails.
    const results = await Promise.allSettled([
      unit('a', (manager) => insert(manager, 'a')),
      unit('orphan', (manager) => manager.run(statement('INSERT INTO children (parent_id) VALUES (999)'))),
      unit('c', (manager) => insert(manager, 'c')),
    ]);

    expect(commits()).toBe(1);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const result of results) expect(String((result as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(committedLabels()).toEqual([]);
    expect(outside.prepare('SELECT COUNT(*) AS n FROM children').get()).toEqual({ n: 0 });
    expect(hooksRun).toEqual([]);

    // The writer is not left inside the failed transaction: the next unit commits on its own.
    await expect(unit('next', (manager) => insert(manager, 'next'))).resolves.toBe('next');
    expect(committedLabels()).toEqual(['next']);
    expect(hooksRun).toEqual(['next']);
  });

  it('answers a unit queued while a batch runs, in a COMMIT of its own after that batch', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const firstRunning = new Promise<void>((resolve) => (started = resolve));

    const first = sut.run(async (manager) => {
      started();
      await gate;
      await insert(manager, 'first');
      return 'first';
    });
    await firstRunning;
    let committedWhenSecondRan: string[] | null = null;
    const second = sut.run(async (manager) => {
      committedWhenSecondRan = committedLabels();
      await insert(manager, 'second');
      return 'second';
    });
    release();

    await expect(first).resolves.toBe('first');
    await expect(second).resolves.toBe('second');
    expect(committedWhenSecondRan).toEqual(['first']);
    expect(commits()).toBe(2);
    expect(committedLabels()).toEqual(['first', 'second']);
  });

  it('starts again for a unit submitted after the queue went idle', async () => {
    await expect(sut.run((manager) => insert(manager, 'one').then(() => 1))).resolves.toBe(1);
    await expect(sut.run((manager) => insert(manager, 'two').then(() => 2))).resolves.toBe(2);
    expect(commits()).toBe(2);
    expect(committedLabels()).toEqual(['one', 'two']);
  });
  it('fails the whole batch when SQLite rolls the transaction back by itself, and commits the next batch normally', async () => {
    // RAISE(ROLLBACK) ends the whole transaction, as SQLITE_FULL or an I/O error would.
    await dataSource.query(
      `CREATE TRIGGER refuse_poison BEFORE INSERT ON items WHEN NEW.label = 'poison' BEGIN SELECT RAISE(ROLLBACK, 'disk full'); END`,
    );
    const first = Promise.allSettled([
      sut.run((m) => insert(m, 'before')),
      sut.run((m) => insert(m, 'poison')),
      sut.run((m) => insert(m, 'after')),
    ]);
    const outcomes = await first;
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(committedLabels()).toEqual([]);

    await Promise.all([sut.run((m) => insert(m, 'next-1')), sut.run((m) => insert(m, 'next-2'))]);
    expect(committedLabels()).toEqual(['next-1', 'next-2']);
    const connection = (dataSource.driver as unknown as { databaseConnection: { inTransaction: boolean } }).databaseConnection;
    expect(connection.inTransaction).toBe(false);
  });

  it('still answers a committed unit whose after-commit listener throws', async () => {
    const answer = await sut.run(async (m) => {
      await insert(m, 'listened');
      afterCommit(m, () => {
        throw new Error('listener bug');
      });
      return 'ok';
    });
    expect(answer).toBe('ok');
    expect(committedLabels()).toEqual(['listened']);
    expect(await sut.run(async (m) => (await insert(m, 'later'), 'still running'))).toBe('still running');
  });

  /** SQLite's temporary files (statement and savepoint sub-journals, sorts) this process holds open. */
  const openTemporaryFiles = () =>
    readdirSync('/proc/self/fd')
      .map((fd) => {
        try {
          return readlinkSync(join('/proc/self/fd', fd));
        } catch {
          return ''; // closed since it was listed
        }
      })
      .filter((target) => target.includes('etilqs_'));

  it("keeps a unit's savepoint sub-journal in memory, never in a temporary file, and still rolls the unit back alone", async () => {
    // About 90 pages of rows: rewriting them all copies far more than the 64 KiB SQLite keeps in memory by default.
    const long = (i: number) => `${String(i).padStart(5, '0')}-${'x'.repeat(90)}`;
    await sut.run(async (manager) => {
      for (let i = 0; i < 3_000; i++) await insert(manager, long(i));
    });
    const before = committedLabels();
    const seenDuringUnits: string[][] = [];
    const failure = new Error('rewrote everything, then changed its mind');
    const results = await Promise.allSettled([
      sut.run(async (manager) => {
        await manager.run(statement("UPDATE items SET label = label || '-rewritten'"));
        seenDuringUnits.push(openTemporaryFiles());
        throw failure;
      }),
      sut.run(async (manager) => {
        await manager.run(statement("UPDATE items SET label = label || '-kept' WHERE label LIKE '00000-%'"));
        seenDuringUnits.push(openTemporaryFiles());
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(seenDuringUnits).toEqual([[], []]);
    expect(committedLabels()).toEqual([`${long(0)}-kept`, ...before.slice(1)]);
    expect(commits()).toBe(2);
  });

  describe('beside another process writing to the same file (the archive command)', () => {
    let other: BetterSqlite3.Database;
    beforeEach(() => {
      other = new BetterSqlite3(join(dir, 'db.sqlite'));
    });
    afterEach(() => other.close());

    /** The longest the event loop went without running a 5 ms timer while `work` ran. */
    const longestStall = async (work: Promise<unknown>) => {
      let last = performance.now();
      let worst = 0;
      const timer = setInterval(() => {
        worst = Math.max(worst, performance.now() - last);
        last = performance.now();
      }, 5);
      try {
        await work;
      } finally {
        clearInterval(timer);
      }
      return Math.max(worst, performance.now() - last);
    };

    it('waits for the write lock the other holds between tries, off the event loop, then commits', async () => {
      other.exec('BEGIN IMMEDIATE');
      other.prepare('INSERT INTO items (label) VALUES (?)').run('archive');
      // The other process commits 300 ms later. A wait inside SQLite (busy_timeout) would block this
      // very timer: the unit would wait its whole timeout and fail.
      setTimeout(() => other.exec('COMMIT'), 300);
      const unit = sut.run(async (m) => (await insert(m, 'service'), 'committed'));
      const stall = await longestStall(unit);
      await expect(unit).resolves.toBe('committed');
      expect(committedLabels()).toEqual(['archive', 'service']);
      // Generous for a loaded machine; the lock alone is held 300 ms.
      expect(stall).toBeLessThan(150);
    });

    it('fails the batch with SQLITE_BUSY when the lock stays taken past its wait, and commits once it is free', async () => {
      const patient = new SqliteGroupCommit(
        () => (dataSource.driver as unknown as { databaseConnection: RawConnection }).databaseConnection,
        (s) => ({ rows: [], affected: (dataSource.driver as unknown as { databaseConnection: RawConnection }).databaseConnection.prepare(s.text).run(...s.params).changes }),
        200,
      );
      other.exec('BEGIN IMMEDIATE');
      const at = performance.now();
      const failed = patient.run((m) => insert(m, 'too late'));
      await expect(failed).rejects.toMatchObject({ code: expect.stringMatching(/^SQLITE_BUSY/) });
      expect(performance.now() - at).toBeGreaterThanOrEqual(190);
      other.exec('COMMIT');
      await expect(patient.run(async (m) => (await insert(m, 'in time'), 'ok'))).resolves.toBe('ok');
      expect(committedLabels()).toEqual(['in time']);
    });

    it('never sleeps inside SQLite for a lock (busy_timeout 0), and keeps the WAL bounded by its own checkpoints', async () => {
      await sut.run((m) => insert(m, 'first'));
      const connection = (dataSource.driver as unknown as { databaseConnection: { pragma(s: string, o: object): unknown } }).databaseConnection;
      expect(connection.pragma('busy_timeout', { simple: true })).toBe(0);
      // A worker's checkpoints alone never let a steadily written WAL start over (it grew past 400 MB).
      expect(connection.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    });
  });
});
