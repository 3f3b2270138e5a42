/**
 * Builds the app (`nest build`) and runs the reliability specs against a private copy of `dist`,
 * so a `nest build` run elsewhere in the same tree (nest deletes `dist` first) cannot pull the
 * compiled files out from under a running scenario. The copy lives in the system temp dir with a
 * `node_modules` symlink back to the project, and is removed by global-teardown.js.
 * RELIABILITY_SKIP_BUILD=1 reuses the existing `dist` (CI has just built it).
 */
const { execFileSync } = require('node:child_process');
const { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..', '..', '..');

module.exports = async () => {
  const started = Date.now();
  let lastError;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const target = mkdtempSync(join(tmpdir(), 'merecharge-reliability-'));
    try {
      if (process.env.RELIABILITY_SKIP_BUILD !== '1' || !existsSync(join(root, 'dist', 'src', 'main.js'))) {
        execFileSync(process.execPath, [join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build'], {
          cwd: root,
          stdio: ['ignore', 'inherit', 'inherit'],
        });
      }
      cpSync(join(root, 'dist'), join(target, 'dist'), { recursive: true });
      for (const entry of ['src/main.js', 'src/simulator/soap/main.js', 'src/operator/topup.wsdl']) {
        if (!existsSync(join(target, 'dist', entry))) throw new Error(`the build has no dist/${entry}`);
      }
      symlinkSync(join(root, 'node_modules'), join(target, 'node_modules'), 'dir');
      process.env.RELIABILITY_BUILD_DIR = target;
      // Each process's whole output, read by failure-logs-reporter.js when a spec fails.
      process.env.RELIABILITY_LOG_DIR = mkdtempSync(join(tmpdir(), 'merecharge-process-logs-'));
      process.stdout.write(`\n[reliability] app built and copied to ${target} in ${Date.now() - started} ms\n`);
      return;
    } catch (error) {
      // Most likely a concurrent `nest build` in the same tree: wait and build again.
      lastError = error;
      rmSync(target, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  }
  throw lastError;
};
