import { parseArchiveCommand } from './archive-command';

const NOW = Date.UTC(2026, 10, 27, 16, 30);

describe(parseArchiveCommand.name, () => {
  it('takes --before as a date (midnight UTC) or an instant with its offset', () => {
    expect(parseArchiveCommand(['--before', '2026-08-01', '--out', '/a.gz'], null, NOW)).toMatchObject({ beforeMs: Date.UTC(2026, 7, 1), out: '/a.gz' });
    expect(parseArchiveCommand(['--before', '2026-08-01T12:00:00+02:00', '--out', '/a.gz'], null, NOW).beforeMs).toBe(Date.UTC(2026, 7, 1, 10));
    for (const bad of ['yesterday', '2026-08-01T12:00:00', '2026-13-45', '2027-01-01']) {
      expect(() => parseArchiveCommand(['--before', bad, '--out', '/a.gz'], null, NOW)).toThrow('--before');
    }
  });

  it('without --before, archives what RETENTION_DAYS no longer keeps, into a file named after the date', () => {
    const sut = parseArchiveCommand(['--out-dir', '/var/archive'], 90, NOW);
    expect(sut.beforeMs).toBe(Date.UTC(2026, 7, 29));
    expect(sut.out).toBe(`/var/archive/merecharge-archive-before-2026-08-29-${NOW}.ndjson.gz`);
    expect(sut).toMatchObject({ pruneJournal: true, vacuum: true });
    expect(() => parseArchiveCommand(['--out-dir', '/var/archive'], null, NOW)).toThrow('RETENTION_DAYS');
    expect(() => parseArchiveCommand([], 90, NOW)).toThrow('--out');
  });

  it('bounds the batch size and the pause', () => {
    expect(parseArchiveCommand(['--before', '2026-08-01', '--out', '/a', '--batch-size', '200', '--pause-ms', '0'], null, NOW)).toMatchObject({ batchSize: 200, pauseMs: 0 });
    expect(() => parseArchiveCommand(['--before', '2026-08-01', '--out', '/a', '--batch-size', '0'], null, NOW)).toThrow('--batch-size');
    expect(() => parseArchiveCommand(['--before', '2026-08-01', '--out', '/a', '--batch-size', '10001'], null, NOW)).toThrow('--batch-size');
  });
});
