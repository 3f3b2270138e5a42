/**
 * The console's browser tests run the built app (dist, with dist/console) as `npm start` would:
 * built here first unless CONSOLE_SKIP_BUILD=1 (CI has just built it).
 */
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..', '..');

module.exports = async () => {
  const built = existsSync(join(root, 'dist', 'src', 'main.js')) && existsSync(join(root, 'dist', 'console', 'index.html'));
  if (process.env.CONSOLE_SKIP_BUILD === '1' && built) return;
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
};
