import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SQL_CATALOGUE, STATEMENT_MODULES } from '../../scripts/sql-catalogue';
import { POSTGRES, SQLITE } from './dialect';

const SRC = join(__dirname, '..');

function statementFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return statementFiles(path);
    return entry.name.endsWith('.statements.ts') ? [path] : [];
  });
}

/** The SQL snapshot (docs/sql, `npm run sql:check` in CI) is only worth its name if it holds every statement. */
describe('SQL catalogue', () => {
  it('covers every statement module of src/', () => {
    const exported = statementFiles(SRC).flatMap((file) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const module = require(file) as Record<string, unknown>;
      return Object.entries(module)
        .filter(([name, value]) => /Sql$/.test(name) && value && typeof value === 'object')
        .map(([name, value]) => ({ where: `${relative(SRC, file)}:${name}`, value }));
    });
    const catalogued = new Set(Object.values(STATEMENT_MODULES));
    expect(exported.filter(({ value }) => !catalogued.has(value as object)).map(({ where }) => where)).toEqual([]);
    expect(exported.length).toBe(Object.keys(STATEMENT_MODULES).length);
  });

  it.each(Object.entries(STATEMENT_MODULES))('samples every builder of %s', (name, module) => {
    expect(Object.keys(SQL_CATALOGUE[name] ?? {}).sort()).toEqual(Object.keys(module).sort());
  });

  it.each(Object.entries(SQL_CATALOGUE))('builds every statement of %s on both dialects', (_name, builders) => {
    for (const build of Object.values(builders)) {
      for (const dialect of [SQLITE, POSTGRES]) {
        const built = build(dialect);
        if (built === null) continue;
        expect(built.text).toMatch(/\S/);
        expect((built.text.match(/\?/g) ?? []).length + (built.text.match(/\$\d+/g) ?? []).length).toBe(built.params.length);
      }
    }
  });

  // SQLite plans a bound LIMIT or OFFSET on every binding (see rowCount): the count goes into the text.
  it.each(Object.entries(SQL_CATALOGUE))('binds no LIMIT or OFFSET in %s', (_name, builders) => {
    const bound = Object.entries(builders).flatMap(([builder, build]) => {
      const built = build(SQLITE);
      return built && /\b(LIMIT|OFFSET)\s+(\?|\$\d)/i.test(built.text) ? [builder] : [];
    });
    expect(bound).toEqual([]);
  });
});
