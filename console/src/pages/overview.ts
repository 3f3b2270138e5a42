import { api } from '../api.js';
import { minuteChart } from '../chart.js';
import { h, replace } from '../dom.js';
import { breakerLabel, dateTime, isAlarming, number, statusClass, statusLabel, STATUSES } from '../format.js';
import type { Overview, SyncStatus } from '../types.js';
import { describeError, details, every, heading, messageArea } from '../ui.js';

const REFRESH_MS = 5000;

/** Live: read again every 5 s while the page is open. */
export function overviewPage(main: HTMLElement) {
  const message = messageArea();
  const body = h('div', { class: 'overview' });
  const updated = h('p', { class: 'hint' });
  main.append(heading("Vue d'ensemble"), updated, message.element, body);

  return every(REFRESH_MS, async () => {
    try {
      const [{ overview }, { status }] = await Promise.all([
        api<{ overview: Overview }>('GET', '/api/admin/overview'),
        api<{ status: SyncStatus }>('GET', '/api/sync/status'),
      ]);
      message.clear();
      replace(updated, `Mis à jour à ${dateTime(overview.at)} (toutes les ${REFRESH_MS / 1000} s)`);
      replace(body, statuses(overview), chartSection(overview), fleet(overview), dispatcher(status), backends(overview));
    } catch (error) {
      message.error(describeError(error));
    }
  });
}

function section(title: string, ...content: Node[]): HTMLElement {
  return h('section', { class: 'card' }, h('h2', { text: title }), ...content);
}

function wide(element: HTMLElement): HTMLElement {
  element.classList.add('wide');
  return element;
}

function statuses(overview: Overview): HTMLElement {
  const tiles = STATUSES.map((status) => {
    const count = overview.byStatus[status] ?? 0;
    const alarming = isAlarming(status) && count > 0;
    const content = [h('span', { class: 'tile-count', text: number(count) }), h('span', { class: statusClass(status), text: statusLabel(status) })];
    const tile = status === 'needs_review' ? h('a', { attrs: { href: '#/a-verifier' } }, ...content) : h('div', {}, ...content);
    return h('li', { class: `tile${alarming ? ' tile-alarm' : ''}` }, tile);
  });
  return section('Transactions par statut', h('ul', { class: 'tiles' }, ...tiles));
}

const chartSection = (overview: Overview) => wide(section('Terminées et échouées par minute (dernière heure)', minuteChart(overview.finishedPerMinute)));

function fleet(overview: Overview): HTMLElement {
  const { connected, notActive, degraded, disconnected } = overview.fleet;
  return section(
    'Flotte',
    h(
      'ul',
      { class: 'tiles' },
      h('li', { class: 'tile' }, h('span', { class: 'tile-count', text: number(connected) }), ' connectées'),
      h('li', { class: `tile${notActive > 0 ? ' tile-alarm' : ''}` }, h('span', { class: 'tile-count', text: number(notActive) }), ' hors service (mot d’état)'),
      h('li', { class: `tile${degraded > 0 ? ' tile-alarm' : ''}` }, h('span', { class: 'tile-count', text: number(degraded) }), ' dégradées'),
      h('li', { class: `tile${disconnected > 0 ? ' tile-alarm' : ''}` }, h('span', { class: 'tile-count', text: number(disconnected) }), ' déconnectées'),
    ),
    h('p', {}, h('a', { attrs: { href: '#/flotte' }, text: 'Voir la flotte' })),
  );
}

function dispatcher(status: SyncStatus): HTMLElement {
  return section(
    'Répartiteur',
    details([
      ['État', h('strong', { class: status.running ? 'ok' : 'alarm', text: status.running ? 'En marche' : 'Arrêté' })],
      ['Cette instance mène', status.leader ? 'Oui' : 'Non'],
      ['Dernier passage', dateTime(status.lastRunAt)],
      [
        'Ses comptes',
        `${status.assigned} assignées, ${status.requeued} remises en file, ${status.needsReview} à vérifier, ${status.retried} relancées, ${status.expired} expirées, ${status.disconnected} CallBox perdues`,
      ],
      ['Changé par', status.changedBy ? `${status.changedBy}, ${dateTime(status.changedAt)}` : '—'],
    ]),
  );
}

function backends(overview: Overview): HTMLElement {
  const calls = overview.soap.callsSinceStart;
  const total = Object.values(calls).reduce((a, b) => a + b, 0);
  return section(
    'Opérateur et système principal',
    details([
      ['Disjoncteur SOAP', h('strong', { class: overview.soap.breaker === 'closed' ? 'ok' : 'alarm', text: breakerLabel(overview.soap.breaker) })],
      ['Appels SOAP depuis le démarrage', `${number(total)} (dont ${number(calls.success ?? 0)} réussis)`],
      ['Callbacks en attente', h('span', { class: overview.callbackBacklog > 0 ? 'alarm' : '', text: number(overview.callbackBacklog) })],
    ]),
  );
}
