import { QueryFailedError } from 'typeorm';
import { PostgresQueryable, PostgresStatements, toNumberedPlaceholders } from './postgres-statements';
import { statement } from './statement';

/** Records what node-postgres would be asked, answers like it, or fails like it. */
function fakeConnection(failWith?: Error & { code?: string }) {
  const sent: Array<{ name: string; text: string; values: unknown[] }> = [];
  const connection = {
    query: async (config: { name: string; text: string; values: unknown[] }) => {
      sent.push(config);
      if (failWith) throw failWith;
      return { rows: [{ id: 'tx-1' }], rowCount: 1 };
    },
  } as PostgresQueryable;
  return { connection, sent };
}

describe(PostgresStatements.name, () => {
  it('sends each statement under a name of its own, with numbered placeholders, and answers rows and count', async () => {
    const statements = new PostgresStatements();
    const { connection, sent } = fakeConnection();

    const answer = await statements.run(connection, statement('SELECT * FROM transactions WHERE id = ? AND status = ?', ['tx-1', 'pending']));
    await statements.run(connection, statement('SELECT * FROM transactions WHERE id = ? AND status = ?', ['tx-2', 'assigned']));
    await statements.run(connection, statement('SELECT * FROM callboxes WHERE id = ?', ['box-1']));

    expect(answer).toEqual({ rows: [{ id: 'tx-1' }], affected: 1 });
    expect(sent[0]).toEqual(expect.objectContaining({ text: 'SELECT * FROM transactions WHERE id = $1 AND status = $2', values: ['tx-1', 'pending'] }));
    expect(sent[1].name).toBe(sent[0].name);
    expect(sent[2].name).not.toBe(sent[0].name);
  });

  it('names a statement after its text, so another instance (or the cache refilled) names it the same', async () => {
    const first = fakeConnection();
    const second = fakeConnection();
    await new PostgresStatements().run(first.connection, statement('SELECT 1 WHERE ? = ?', [1, 1]));
    await new PostgresStatements().run(second.connection, statement('SELECT 1 WHERE ? = ?', [2, 2]));

    expect(second.sent[0].name).toBe(first.sent[0].name);
  });

  it("keeps the driver's error under TypeORM's shape, so a unique violation is still recognised", async () => {
    const violation = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    const { connection } = fakeConnection(violation);

    const failure = new PostgresStatements().run(connection, statement('INSERT INTO transactions (id) VALUES (?)', ['tx-1']));

    await expect(failure).rejects.toBeInstanceOf(QueryFailedError);
    await expect(failure).rejects.toMatchObject({ driverError: { code: '23505' }, message: violation.message });
  });
});

describe(toNumberedPlaceholders.name, () => {
  it('numbers every ? in order', () => {
    expect(toNumberedPlaceholders('UPDATE t SET a = ?, b = ? WHERE id IN (?, ?)')).toBe('UPDATE t SET a = $1, b = $2 WHERE id IN ($3, $4)');
  });
});
