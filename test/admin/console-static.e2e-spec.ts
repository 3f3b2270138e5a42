import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { CONSOLE_CSP, consoleDirectory } from '../../src/admin/console-static';
import { createTestApp, TestApp } from '../support/test-app';

/** The built console (dist/console), as npm run build writes it; built here when missing. */
function builtConsole(): string {
  const dir = consoleDirectory();
  if (dir) return dir;
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build-console.js')], { stdio: 'inherit' });
  return consoleDirectory()!;
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('The admin console at /admin', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = builtConsole();
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const get = (path: string) => fetch(`${t.api.baseUrl}${path}`, { redirect: 'manual' });

  it('serves the page and its modules under a strict policy: own scripts and styles only, no frame, no referrer', async () => {
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
    for (const path of ['/admin/', '/admin/js/main.js', '/admin/console.css']) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
    expect((await get('/admin/')).headers.get('content-type')).toMatch(/^text\/html/);
    expect((await get('/admin/js/main.js')).headers.get('content-type')).toMatch(/javascript/);
    expect([301, 302, 308]).toContain((await get('/admin')).status);
    expect((await get('/admin/../package.json')).status).toBe(404);
  });

  it('ships under 150 KB of gzipped JavaScript', () => {
    const js = files(dir).filter((f) => f.endsWith('.js'));
    const gzipped = js.reduce((sum, file) => sum + gzipSync(readFileSync(file), { level: 9 }).length, 0);
    expect(js.length).toBeGreaterThan(0);
    expect(gzipped).toBeLessThan(150 * 1024);
  });

  it('has no inline script or style, loads nothing from elsewhere, and never parses data as HTML', () => {
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\bsrc="[^":]+"/);
    expect(html).not.toMatch(/<script>(?!<\/script>)|\sstyle=|\son[a-z]+=/i);
    const sources = files(dir).filter((f) => /\.(js|css|html)$/.test(f));
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      expect({ file, external: /https?:\/\/(?!www\.w3\.org\/2000\/svg)/.test(text) }).toEqual({ file, external: false });
      expect({ file, html: /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/.test(text) }).toEqual({ file, html: false });
    }
  });
});
