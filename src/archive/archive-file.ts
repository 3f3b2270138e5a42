import { createHash, Hash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs, WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip, createGzip, Gzip } from 'node:zlib';

/**
 * The archive file: gzip-compressed NDJSON. Line 1 is the header, then one line per transaction
 * (its row and its events), and the last line is the trailer: the counts and the SHA-256 of every
 * line before it (each with its newline), so a file is checked without the database.
 */
export const ARCHIVE_FORMAT = 'merecharge-archive';
export const ARCHIVE_VERSION = 1;

export interface ArchiveHeader {
  kind: 'header';
  format: typeof ARCHIVE_FORMAT;
  version: number;
  runId: string;
  /** Final transactions created before this instant (ISO and epoch ms). */
  before: string;
  beforeMs: number;
  engine: string;
  createdAt: string;
}

export interface ArchivedTransaction {
  kind: 'transaction';
  transaction: Record<string, unknown>;
  events: Array<Record<string, unknown>>;
}

export interface ArchiveTrailer {
  kind: 'trailer';
  transactions: number;
  events: number;
  sha256: string;
}

export interface ArchiveSummary {
  transactions: number;
  events: number;
  sha256: string;
}

/** Writes a file under `<path>.partial`; `close` completes it (trailer, fsync) and renames it to `path`. */
export class ArchiveWriter {
  private readonly hash: Hash = createHash('sha256');
  private readonly gzip: Gzip = createGzip({ level: 6 });
  private readonly out: WriteStream;
  private readonly done: Promise<void>;
  private transactions = 0;
  private events = 0;

  private constructor(readonly path: string) {
    this.out = createWriteStream(ArchiveWriter.partial(path), { flags: 'w' });
    this.gzip.pipe(this.out);
    this.done = new Promise((resolve, reject) => {
      this.out.on('close', resolve);
      this.out.on('error', reject);
      this.gzip.on('error', reject);
    });
  }

  static partial(path: string): string {
    return `${path}.partial`;
  }

  static async open(path: string, header: ArchiveHeader): Promise<ArchiveWriter> {
    await fs.mkdir(dirname(path), { recursive: true });
    const writer = new ArchiveWriter(path);
    await writer.line(header);
    return writer;
  }

  async add(record: ArchivedTransaction): Promise<void> {
    this.transactions += 1;
    this.events += record.events.length;
    await this.line(record);
  }

  /** The trailer, then flushed to disk and renamed: a file under its final name is always complete. */
  async close(): Promise<ArchiveSummary> {
    const summary = { transactions: this.transactions, events: this.events, sha256: this.hash.digest('hex') };
    const trailer: ArchiveTrailer = { kind: 'trailer', ...summary };
    this.gzip.end(`${JSON.stringify(trailer)}\n`);
    await this.done;
    const handle = await fs.open(ArchiveWriter.partial(this.path), 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(ArchiveWriter.partial(this.path), this.path);
    return summary;
  }

  /** Stops writing; the partial file is left for the caller to remove. */
  async discard(): Promise<void> {
    this.gzip.end();
    await this.done.catch(() => undefined);
  }

  private async line(record: object): Promise<void> {
    const text = `${JSON.stringify(record)}\n`;
    this.hash.update(text);
    if (!this.gzip.write(text)) await new Promise((resolve) => this.gzip.once('drain', resolve));
  }
}

export class ArchiveFileError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`Archive ${path} is not valid: ${reason}`);
  }
}

/**
 * Reads a file back, checking it as it goes: header first, trailer last, the counts and the
 * checksum of what came between equal to the trailer's. `onTransaction` sees each record (in
 * order); the promise rejects with ArchiveFileError on the first problem.
 */
export async function readArchive(
  path: string,
  onTransaction?: (record: ArchivedTransaction, index: number) => Promise<void> | void,
): Promise<{ header: ArchiveHeader; summary: ArchiveSummary }> {
  const hash = createHash('sha256');
  const source = createReadStream(path);
  const input = createGunzip();
  // pipe() does not pass the source's errors on (a missing file would leave the reader waiting).
  source.on('error', (error) => input.destroy(error));
  source.pipe(input);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let header: ArchiveHeader | null = null;
  let trailer: ArchiveTrailer | null = null;
  let transactions = 0;
  let events = 0;
  try {
    for await (const text of lines) {
      if (trailer) throw new ArchiveFileError(path, 'a line after the trailer');
      const record = parse(path, text);
      if (record.kind === 'trailer') {
        trailer = record as unknown as ArchiveTrailer;
        continue;
      }
      hash.update(`${text}\n`);
      if (!header) {
        if (record.kind !== 'header' || record.format !== ARCHIVE_FORMAT) throw new ArchiveFileError(path, 'no header');
        if (record.version !== ARCHIVE_VERSION) throw new ArchiveFileError(path, `version ${String(record.version)} is not known`);
        header = record as unknown as ArchiveHeader;
        continue;
      }
      if (record.kind !== 'transaction') throw new ArchiveFileError(path, `unexpected record ${String(record.kind)}`);
      const archived = record as unknown as ArchivedTransaction;
      events += archived.events.length;
      await onTransaction?.(archived, transactions);
      transactions += 1;
    }
  } catch (error) {
    if (error instanceof ArchiveFileError) throw error;
    throw new ArchiveFileError(path, (error as Error).message);
  } finally {
    source.destroy();
    input.destroy();
  }
  if (!header) throw new ArchiveFileError(path, 'empty');
  if (!trailer) throw new ArchiveFileError(path, 'no trailer (the file was not completed)');
  const summary = { transactions, events, sha256: hash.digest('hex') };
  if (summary.transactions !== trailer.transactions || summary.events !== trailer.events) {
    throw new ArchiveFileError(path, `counts ${summary.transactions}/${summary.events} differ from the trailer's ${trailer.transactions}/${trailer.events}`);
  }
  if (summary.sha256 !== trailer.sha256) throw new ArchiveFileError(path, 'the checksum differs from the trailer');
  return { header, summary };
}

function parse(path: string, text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new ArchiveFileError(path, 'a line is not a JSON object');
}
