#!/usr/bin/env node
/**
 * Builds the admin console into dist/console (run by npm run build, after nest build): its
 * TypeScript modules compiled by tsc as browser ES modules into dist/console/js, its page and
 * styles copied beside them. No bundler, no download.
 */
const { execFileSync } = require('node:child_process');
const { cpSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const out = join(root, 'dist', 'console');
rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'console', 'tsconfig.json')], { stdio: 'inherit' });
cpSync(join(root, 'console', 'public'), out, { recursive: true });
