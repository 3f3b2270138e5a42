import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const CONSOLE_PATH = '/admin';

/**
 * The console's policy: its own scripts, styles and API only (no inline script or style, no other
 * origin, no frame), and no referrer. The key stays in sessionStorage, so a script injected through
 * data could read it: everything a box, the main system or a customer writes is rendered as text,
 * and this policy refuses the script anyway.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Where `npm run build` writes the console: dist/console, beside dist/src (also when run from the sources). */
export function consoleDirectory(): string | null {
  const candidates = [join(__dirname, '..', '..', 'console'), join(__dirname, '..', '..', 'dist', 'console')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

/** Serves the built console at /admin/ with its policy; false when it was not built (npm run build). */
export function registerConsole(fastify: FastifyInstance): boolean {
  const root = consoleDirectory();
  if (!root) return false;
  void fastify.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply, payload) => {
      void reply
        .header('content-security-policy', CONSOLE_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('x-frame-options', 'DENY')
        .header('referrer-policy', 'no-referrer')
        .header('cross-origin-opener-policy', 'same-origin')
        .header('cache-control', 'no-cache');
      return payload;
    });
    await scope.register(fastifyStatic, { root, prefix: `${CONSOLE_PATH}/`, index: 'index.html', dotfiles: 'deny', cacheControl: false });
    // Relative links (console.css, js/main.js) need the trailing slash.
    scope.get(CONSOLE_PATH, (_request, reply) => reply.redirect(`${CONSOLE_PATH}/`, 301));
  });
  return true;
}
