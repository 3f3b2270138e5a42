const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'service', 'msg', 'context']);

/**
 * One JSON log line as text for a person at a terminal (LOG_FORMAT=pretty):
 * `12:03:04.567 INFO  [Bootstrap] Listening on ... {"port":3000}`. A line that is not JSON passes as is.
 */
export function prettyLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : new Date().toISOString().slice(11, 23);
  const level = String(entry.level ?? '').toUpperCase().padEnd(5);
  const context = entry.context ? `[${String(entry.context)}] ` : '';
  const rest = Object.fromEntries(Object.entries(entry).filter(([key]) => !HIDDEN.has(key)));
  const err = rest.err as { stack?: string } | undefined;
  if (err?.stack) delete rest.err;
  const fields = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  return `${time} ${level} ${context}${String(entry.msg ?? '')}${fields}${err?.stack ? `\n${err.stack}` : ''}\n`;
}
