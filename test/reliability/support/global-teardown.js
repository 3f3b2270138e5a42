/** Removes the private copy of the build made by global-setup.js. */
const { rmSync } = require('node:fs');

module.exports = async () => {
  const dir = process.env.RELIABILITY_BUILD_DIR;
  if (dir && /merecharge-reliability-/.test(dir)) rmSync(dir, { recursive: true, force: true });
};
