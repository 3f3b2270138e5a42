/**
 * A Jest reporter for the real-process suites. Each process started by a spec writes its output to
 * `<RELIABILITY_LOG_DIR>/<spec file>/<process>-<port>.log` (processes.ts). When a spec fails, this
 * prints, for each of its processes, the error lines (with their request ids) and the last lines
 * of the log, so the cause of a failure can be read in the CI output. At the end of the run the
 * folder is removed, unless CI is set and something failed: then it is kept and its path printed.
 */
const { existsSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const { basename, join } = require('node:path');

const ERROR_LINES = 40;
const TAIL_LINES = 30;

function isErrorLine(line) {
  if (/"level":\s*(50|60|"error"|"fatal")/.test(line)) return true;
  // Anything not JSON (a crash, a stack trace, Nest's own text before the logger is up).
  return !line.startsWith('{') && !line.startsWith('---') && /error|exception|fatal|unhandled/i.test(line);
}

function describeLog(file) {
  const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '');
  const errors = lines.filter(isErrorLine);
  const parts = [`--- ${basename(file)}: ${lines.length} lines, ${errors.length} error lines`];
  if (errors.length > 0) parts.push('error lines (last ' + Math.min(errors.length, ERROR_LINES) + '):', ...errors.slice(-ERROR_LINES));
  parts.push(`last ${Math.min(lines.length, TAIL_LINES)} lines:`, ...lines.slice(-TAIL_LINES));
  return parts.map((line) => (line.length > 4000 ? `${line.slice(0, 4000)}…` : line)).join('\n');
}

class FailureLogsReporter {
  constructor() {
    this.failed = false;
  }

  onTestResult(_test, result) {
    const root = process.env.RELIABILITY_LOG_DIR;
    const failed = result.numFailingTests > 0 || Boolean(result.testExecError);
    if (!failed) return;
    this.failed = true;
    if (!root) return;
    const dir = join(root, basename(result.testFilePath));
    if (!existsSync(dir)) return;
    const logs = readdirSync(dir).filter((name) => name.endsWith('.log')).sort();
    const report = logs.map((name) => describeLog(join(dir, name))).join('\n');
    process.stderr.write(`\n[process logs] ${basename(result.testFilePath)} failed; its processes said:\n${report}\n`);
  }

  onRunComplete() {
    const root = process.env.RELIABILITY_LOG_DIR;
    if (!root || !existsSync(root)) return;
    if (this.failed && process.env.CI) {
      process.stderr.write(`\n[process logs] kept in ${root}\n`);
      return;
    }
    rmSync(root, { recursive: true, force: true });
  }
}

module.exports = FailureLogsReporter;
