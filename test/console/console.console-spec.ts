import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createApp, ManagedProcess } from '../reliability/support/processes';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { axeViolations, launchChromium, PageProblems, watch } from './support/browser';
import { Gateway, waitFor } from './support/fleet';

const API_KEY = 'console-admin-api-key-0000000001';
const CALLBOX_TOKEN = 'console-callbox-token-000000001';
const CALLBACK_SECRET = 'console-callback-secret-00000001';
const SHOTS = join(__dirname, '..', '..', 'docs', 'console');
const XSS = '<img src=x onerror=alert(1)>';

/** The main system's outcome endpoint: every body it receives. */
async function outcomeReceiver(): Promise<{ server: Server; url: string; bodies: Array<{ event: string; transactionId: string }> }> {
  const bodies: Array<{ event: string; transactionId: string }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/outcomes`, bodies };
}

/**
 * The console in Debian's Chromium against the built app started as `npm start` runs it (dist,
 * a database of its own, the embedded SOAP simulator), with scripted boxes. The cases run in
 * order on one app: each leaves the state the next one starts from.
 */
describe('Admin console in a real browser', () => {
  let database: TestDatabase;
  let app: ManagedProcess;
  let gateway: Gateway;
  let receiver: Awaited<ReturnType<typeof outcomeReceiver>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: PageProblems;
  const base = () => `${app.url}/admin/`;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    database = await createTestDatabase();
    receiver = await outcomeReceiver();
    app = await createApp({
      name: 'gateway',
      databaseUrl: database.url,
      env: {
        API_KEY,
        CALLBOX_TOKEN,
        MAIN_CALLBACK_URL: receiver.url,
        CALLBACK_SECRET,
        HEARTBEAT_TIMEOUT_MS: '4000',
        SYNC_INTERVAL_MS: '1000',
        SYNC_AUTOSTART_DELAY_MS: '500',
      },
    });
    await app.start();
    gateway = new Gateway(app.url, CALLBOX_TOKEN, API_KEY);
    await gateway.register('callbox_centre', { maxConcurrentTransactions: 5, supportedTypes: ['recharge'] }, { location: 'Djibouti Centre' });
    await gateway.register('callbox_balbala', { maxConcurrentTransactions: 3, supportedTypes: ['voucher'], operators: ['Djibouti Telecom'] }, { location: 'Balbala' });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: 'fr-FR', timezoneId: 'Africa/Djibouti' });
    page = await context.newPage();
    problems = watch(page);
  }, 120_000);

  afterAll(async () => {
    gateway?.stopAll();
    await browser?.close();
    await app?.stop();
    receiver?.server.close();
    await database?.drop();
  });

  afterEach(() => {
    expect(problems).toEqual({ dialogs: [], cspViolations: [], errors: [] });
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const go = async (hash: string, heading: string) => {
    await page.goto(`${base()}#/${hash}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };

  it('1. refuses a wrong key with a clear message, opens the overview with the right one, forgets it on sign-out', async () => {
    const started = Date.now();
    await page.goto(base());
    const key = page.getByLabel("Clé d'administration (x-api-key)");
    await key.waitFor();
    const signInUsableMs = Date.now() - started;

    await key.fill('not-the-admin-key-0000000');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByText('Clé refusée').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    expect(page.url()).toMatch(/#\/connexion$/);
    await shot('connexion');

    const signingIn = Date.now();
    await key.fill(API_KEY);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { level: 1, name: "Vue d'ensemble" }).waitFor();
    await page.getByRole('heading', { name: 'Transactions par statut' }).waitFor();
    const overviewUsableMs = Date.now() - signingIn;
    // The key is in sessionStorage only: not in the URL, a cookie or localStorage.
    expect(await page.evaluate(`[sessionStorage.getItem('merecharge.adminKey'), localStorage.length, document.cookie]`)).toEqual([API_KEY, 0, '']);
    expect(page.url()).not.toContain(API_KEY);

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByLabel("Clé d'administration (x-api-key)").waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await page.goto(`${base()}#/apercu`);
    await page.getByLabel("Clé d'administration (x-api-key)").waitFor();

    // A fresh load, signed in: how long until the overview shows its figures.
    await key.fill(API_KEY);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Transactions par statut' }).waitFor();
    const reload = Date.now();
    await page.reload();
    await page.getByRole('heading', { name: 'Transactions par statut' }).waitFor();
    const reloadUsableMs = Date.now() - reload;
    process.stdout.write(`[console] sign-in page usable in ${signInUsableMs} ms; overview after sign-in ${overviewUsableMs} ms; overview on reload ${reloadUsableMs} ms\n`);
    expect(reloadUsableMs).toBeLessThan(5000);
  });

  it('2. a box dies while processing: the work appears under À vérifier, is settled completed with a note, leaves the queue; the callback is sent', async () => {
    await gateway.register('callbox_port', { maxConcurrentTransactions: 2, supportedTypes: ['withdraw'] }, { location: 'Port de Djibouti' });
    const id = await gateway.submit({ type: 'withdraw', amount: 2000, payItemId: 'WITHDRAW_2000', customerInfo: { name: 'Fatouma Said', operator: 'Djibouti Telecom' } });
    const [work] = await waitFor('the withdraw to reach callbox_port', async () => {
      const held = await gateway.poll('callbox_port', 1);
      return held.length > 0 ? held : null;
    });
    expect(work.id).toBe(id);
    await gateway.expectOk('PUT', `/api/call-box/transactions/${id}/status`, { status: 'processing', callboxId: 'callbox_port', attempt: work.attempt });
    gateway.die('callbox_port');
    await waitFor('the dead box work to be set aside', async () => (await gateway.status(id)) === 'needs_review');

    await go('a-verifier', 'À vérifier');
    await page.getByRole('button', { name: id }).click();
    await page.getByRole('heading', { name: `Transaction ${id}` }).waitFor();
    await page.getByLabel('Terminée : le client a été servi').check();
    await page.getByLabel('Référence opérateur (facultatif, si terminée)').fill('DT-778899');
    await page.getByRole('button', { name: 'Trancher…' }).click();
    await page.getByText('La note est obligatoire.').waitFor();
    await page.getByLabel('Note (obligatoire)').fill('Vérifié auprès de Djibouti Telecom : retrait bien effectué');
    await shot('a-verifier');
    await page.getByRole('button', { name: 'Trancher…' }).click();
    await page.getByRole('button', { name: 'Confirmer' }).click();
    await page.getByText(`Transaction ${id} tranchée : terminée.`).waitFor();

    const history = page.locator('.history');
    await history.getByText('Vérifié auprès de Djibouti Telecom : retrait bien effectué', { exact: true }).waitFor();
    await history.locator('li').filter({ hasText: 'par admin' }).filter({ hasText: 'Terminée' }).waitFor();
    await page.getByRole('table').getByRole('button', { name: id }).waitFor({ state: 'detached' });
    expect(await gateway.status(id)).toBe('completed');
    await waitFor('the outcome callback', async () => receiver.bodies.some((b) => b.transactionId === id && b.event === 'transaction.completed'));
  });

  it('2b. the second admin to settle the same one is told it was already settled', async () => {
    await gateway.register('callbox_tadjourah', { maxConcurrentTransactions: 1, supportedTypes: ['withdraw'] });
    const id = await gateway.submit({ type: 'withdraw', amount: 1500, payItemId: 'WITHDRAW_1500' });
    const [work] = await waitFor('the withdraw to reach callbox_tadjourah', async () => {
      const held = await gateway.poll('callbox_tadjourah', 1);
      return held.length > 0 ? held : null;
    });
    await gateway.expectOk('PUT', `/api/call-box/transactions/${id}/status`, { status: 'processing', callboxId: 'callbox_tadjourah', attempt: work.attempt });
    gateway.die('callbox_tadjourah');
    await waitFor('the dead box work to be set aside', async () => (await gateway.status(id)) === 'needs_review');

    await go('a-verifier', 'À vérifier');
    await page.getByRole('button', { name: id }).click();
    await page.getByLabel('Échouée : rien n’a été exécuté').check();
    await page.getByLabel('Note (obligatoire)').fill('Rien chez l’opérateur');
    await page.getByRole('button', { name: 'Trancher…' }).click();
    // Another admin settles it first.
    await gateway.expectOk('POST', `/api/call-box/transactions/${id}/resolve`, { outcome: 'completed', note: 'autre admin' }, 'admin');
    await page.getByRole('button', { name: 'Confirmer' }).click();
    await page.getByText(/Déjà tranchée .*Terminée/).waitFor();
    expect(await gateway.status(id)).toBe('completed');
  });

  it('3. a customer name holding HTML renders as text: no dialog, no injected element', async () => {
    const id = await gateway.submit({ type: 'deposit', phoneNumber: '+25377445566', payItemId: 'DEPOSIT_500', customerInfo: { name: XSS, operator: 'Djibouti Telecom' } });
    await go('transactions', 'Transactions');
    await page.getByLabel('Identifiant').fill(id);
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.getByRole('cell', { name: XSS }).waitFor();
    await page.getByRole('button', { name: id }).click();
    await page.locator('.transaction-detail').getByText(XSS, { exact: true }).waitFor();
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.evaluate(`document.querySelectorAll('[onerror]').length`)).toBe(0);
    await page.waitForTimeout(300);
    expect(problems.dialogs).toEqual([]);
  });

  it('4. stop, start and force the dispatcher from the page; the state follows', async () => {
    await go('synchronisation', 'Synchronisation');
    const state = page.locator('[data-etat]');
    await state.waitFor();
    await page.getByRole('button', { name: 'Arrêter' }).click();
    await page.locator('[data-etat="arret"]').waitFor();
    expect((await gateway.expectOk('GET', '/api/sync/status', undefined, 'admin')).status).toMatchObject({ running: false, changedBy: 'admin' });
    await page.getByRole('button', { name: 'Démarrer' }).click();
    await page.locator('[data-etat="marche"]').waitFor();
    expect((await gateway.expectOk('GET', '/api/sync/status', undefined, 'admin')).status.running).toBe(true);
    await page.getByRole('button', { name: 'Forcer un passage' }).click();
    await page.getByText('Passage forcé exécuté.').waitFor();
    await page.locator('#passage-force').locator('..').getByText(/assignées/).waitFor();
    await shot('synchronisation');
  });

  it("5. a box's batchSize edited in Flotte is what its next poll honours", async () => {
    await gateway.expectOk('POST', '/api/sync/stop', undefined, 'admin');
    await go('flotte', 'Flotte');
    await page.getByRole('button', { name: 'Modifier les réglages de callbox_balbala' }).click();
    const batch = page.getByLabel('Taille de lot (batchSize)');
    await batch.fill('0');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.locator('.field-error').filter({ hasText: /batchSize/ }).waitFor();
    expect(await batch.getAttribute('aria-invalid')).toBe('true');
    await batch.fill('2');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Réglages de callbox_balbala enregistrés.').waitFor();
    await shot('flotte');

    for (let i = 0; i < 4; i++) await gateway.submit({ type: 'voucher', amount: undefined, payItemId: `DATA_1GO_${i}`, customerInfo: { operator: 'Djibouti Telecom' } });
    expect(await gateway.poll('callbox_balbala', 10)).toHaveLength(2);
    await gateway.expectOk('POST', '/api/sync/start', undefined, 'admin');
  });

  it('6. a number typed in either form finds the same transactions', async () => {
    const mine = [
      await gateway.submit({ type: 'deposit', phoneNumber: '+25377654321', payItemId: 'DEPOSIT_1000', amount: 1000 }),
      await gateway.submit({ type: 'deposit', phoneNumber: '+25377654321', payItemId: 'DEPOSIT_2000', amount: 2000 }),
    ];
    await go('transactions', 'Transactions');
    // The page opens on the unfiltered list: read the table only once this search's answer is shown.
    const found = async (typed: string) => {
      await page.getByLabel('Numéro (77… ou 25377…)').fill(typed);
      const answered = page.waitForResponse((res) => res.url().includes(`phoneNumber=${encodeURIComponent(typed)}`));
      await page.getByRole('button', { name: 'Rechercher' }).click();
      await answered;
      await page.getByRole('table').getByText(`${mine.length} transaction(s), les plus récentes en premier`).waitFor();
      return page.getByRole('table').locator('tbody button.link').allTextContents();
    };
    const local = await found('77654321');
    const international = await found('25377654321');
    expect(local).toEqual([...mine].reverse());
    expect(international).toEqual(local);
    await shot('transactions');
  });

  it('7. axe-core finds no serious or critical violation on any page', async () => {
    // A PIN lock, so the TopUp page shows one (wrong PINs on a number until it is locked).
    const wrongPins: number[] = [];
    await waitFor('a PIN lock on 77123456', async () => {
      const res = await fetch(`${app.url}/api/topup/recharge-account`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ msisdn: '77123456', isdn: '21123456', amount: 100, pincode: '9999' }),
      });
      wrongPins.push(res.status);
      const { locks } = await gateway.expectOk<{ locks: Array<{ msisdn: string }> }>('GET', '/api/admin/pin-locks', undefined, 'admin');
      return locks.some((lock) => lock.msisdn === '77123456');
    }, 30_000).catch((error: Error) => {
      throw new Error(`${error.message} (answers: ${wrongPins.join(', ')})`);
    });
    const pages: Array<[string, string, string]> = [
      ['apercu', "Vue d'ensemble", 'Transactions par statut'],
      ['a-verifier', 'À vérifier', ''],
      ['flotte', 'Flotte', ''],
      ['transactions', 'Transactions', ''],
      ['synchronisation', 'Synchronisation', 'État du répartiteur'],
      ['topup', 'TopUp', 'Verrous PIN en vigueur'],
    ];
    const serious: Record<string, unknown[]> = {};
    for (const [hash, title, section] of pages) {
      await go(hash, title);
      if (section) await page.getByRole('heading', { name: section }).waitFor();
      await page.waitForLoadState('networkidle');
      if (hash === 'apercu' || hash === 'topup') await shot(hash);
      const violations = await axeViolations(page);
      const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      if (violations.length > 0) process.stdout.write(`[console] axe on ${hash}: ${violations.map((v) => `${v.id} (${v.impact})`).join(', ')}\n`);
      if (bad.length > 0) serious[hash] = bad;
    }
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByLabel("Clé d'administration (x-api-key)").waitFor();
    const signIn = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    if (signIn.length > 0) serious.connexion = signIn;
    expect(serious).toEqual({});

    // The probe itself can fail: an input without a label is found (then removed).
    await page.evaluate(`document.querySelector('main').append(Object.assign(document.createElement('input'), { id: 'sans-etiquette' }))`);
    expect((await axeViolations(page)).map((v) => v.id)).toContain('label');
    await page.evaluate(`document.getElementById('sans-etiquette').remove()`);
  });

  it('TopUp: a PIN lock is lifted from the page', async () => {
    const { locks } = await gateway.expectOk<{ locks: Array<{ msisdn: string }> }>('GET', '/api/admin/pin-locks', undefined, 'admin');
    expect(locks.map((lock) => lock.msisdn)).toContain('77123456');
    await go('connexion', 'Connexion');
    await page.getByLabel("Clé d'administration (x-api-key)").fill(API_KEY);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    // Signed in only once the overview shows: before that, the router sends #/topup back to the sign-in.
    await page.getByRole('heading', { level: 1, name: "Vue d'ensemble" }).waitFor();
    await go('topup', 'TopUp');
    await page.getByRole('button', { name: 'Déverrouiller 77123456' }).click();
    await page.getByText(/77123456 déverrouillé/).waitFor();
    await page.getByText('Aucun numéro verrouillé.').waitFor();
  });
});
