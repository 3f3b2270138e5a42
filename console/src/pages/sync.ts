import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { dateTime } from '../format.js';
import { settingsForm } from '../settings-form.js';
import type { SyncStatus, TickCounts } from '../types.js';
import { button, describeError, details, every, heading, messageArea } from '../ui.js';

/** The dispatcher's switch (start, stop), a tick now with its counts, who changed it, and the fleet's settings. */
export function syncPage(main: HTMLElement) {
  const message = messageArea();
  const state = h('section', { class: 'card', attrs: { 'aria-labelledby': 'etat-repartiteur' } });
  const forced = h('section', { class: 'card', attrs: { 'aria-labelledby': 'passage-force' } }, h('h2', { id: 'passage-force', text: 'Dernier passage forcé' }), h('p', { text: 'Aucun depuis l’ouverture de cette page.' }));
  const settings = h('section', { class: 'card', attrs: { 'aria-labelledby': 'reglages-globaux' } }, h('h2', { id: 'reglages-globaux', text: 'Réglages globaux des CallBox' }));
  const controls = h(
    'div',
    { class: 'actions' },
    button('Démarrer', () => void command('start', 'Synchronisation démarrée.')),
    button('Arrêter', () => void command('stop', 'Synchronisation arrêtée.'), 'danger'),
    button('Forcer un passage', () => void force()),
  );
  main.append(heading('Synchronisation'), message.element, controls, state, forced, settings);

  async function refresh(): Promise<void> {
    try {
      render((await api<{ status: SyncStatus }>('GET', '/api/sync/status')).status);
    } catch (error) {
      message.error(describeError(error));
    }
  }

  function render(status: SyncStatus): void {
    replace(
      state,
      h('h2', { id: 'etat-repartiteur', text: 'État du répartiteur' }),
      details([
        ['État', h('strong', { class: status.running ? 'ok' : 'alarm', attrs: { 'data-etat': status.running ? 'marche' : 'arret' }, text: status.running ? 'En marche' : 'Arrêté' })],
        ['Changé par', status.changedBy ?? '—'],
        ['Changé le', dateTime(status.changedAt)],
        ['Cette instance mène', status.leader ? 'Oui' : 'Non'],
        ['Intervalle', `${status.intervalMs / 1000} s`],
        ['Passages', String(status.totalRuns)],
        ['Dernier passage', dateTime(status.lastRunAt)],
        ['Prochain passage', dateTime(status.nextRunAt)],
        ['Comptes du dernier passage', counts(status)],
        ['CallBox connectées', String(status.connectedInstances)],
      ]),
    );
  }

  async function command(path: 'start' | 'stop', done: string): Promise<void> {
    try {
      render((await api<{ status: SyncStatus }>('POST', `/api/sync/${path}`)).status);
      message.info(done);
    } catch (error) {
      message.error(describeError(error));
    }
  }

  async function force(): Promise<void> {
    try {
      const report = await api<{ counts: TickCounts; ranAt: string; durationMs: number }>('POST', '/api/sync/force');
      replace(forced, h('h2', { id: 'passage-force', text: 'Dernier passage forcé' }), details([['Exécuté', dateTime(report.ranAt)], ['Durée', `${report.durationMs} ms`], ['Comptes', counts(report.counts)]]));
      message.info('Passage forcé exécuté.');
      await refresh();
    } catch (error) {
      message.error(describeError(error));
    }
  }

  void settingsForm(null).then(
    (form) => settings.append(form),
    (error: unknown) => message.error(describeError(error)),
  );
  return every(5000, refresh);
}

const counts = (c: TickCounts) =>
  `${c.assigned} assignées, ${c.requeued} remises en file, ${c.needsReview} à vérifier, ${c.retried} relancées, ${c.expired} expirées, ${c.disconnected} CallBox perdues, ${c.failed} étapes en erreur`;
