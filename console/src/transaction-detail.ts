import { api } from './api.js';
import { h } from './dom.js';
import { amount, dateTime, statusLabel, typeLabel } from './format.js';
import type { Box, Transaction } from './types.js';
import { badge, details } from './ui.js';

export const loadTransaction = async (id: string) =>
  (await api<{ transaction: Transaction }>('GET', `/api/call-box/transactions/${encodeURIComponent(id)}`)).transaction;

/** The transaction's fields, its whole history and, when known, what its box last reported. */
export function transactionDetail(tx: Transaction, box?: Box): HTMLElement {
  const fields = details([
    ['Identifiant', h('code', { text: tx.id })],
    ['Statut', badge(tx.status)],
    ['Type', typeLabel(tx.type)],
    ['Montant', amount(tx.amount)],
    ['Numéro', tx.phoneNumber],
    ['Client', tx.customerInfo?.name ?? '—'],
    ['Opérateur', tx.customerInfo?.operator ?? '—'],
    ['Article', tx.payItemId],
    ['CallBox', tx.assignedTo ?? '—'],
    ['Tentative', `${tx.attempt} (relances ${tx.retryCount}/${tx.maxRetries})`],
    ['Créée', dateTime(tx.createdAt)],
    ['Terminée', dateTime(tx.completedAt)],
    ['Dernier résultat', tx.result ? h('pre', { text: JSON.stringify(tx.result, null, 2) }) : '—'],
  ]);
  const history = h(
    'ol',
    { class: 'history' },
    ...(tx.events ?? []).map((event) =>
      h(
        'li',
        {},
        h('time', { attrs: { datetime: event.at }, text: dateTime(event.at) }),
        ' ',
        event.from ? `${statusLabel(event.from)} → ` : '',
        h('strong', { text: statusLabel(event.to) }),
        ` par ${event.actor}`,
        noteOf(event.details),
        event.details ? h('details', {}, h('summary', { text: 'Détails' }), h('pre', { text: JSON.stringify(event.details, null, 2) })) : null,
      ),
    ),
  );
  return h(
    'div',
    { class: 'transaction-detail' },
    fields,
    h('h3', { text: 'Historique' }),
    history,
    box ? h('h3', { text: `Ce que ${box.id} a rapporté en dernier` }) : null,
    box ? reportedBy(box) : null,
  );
}

function noteOf(eventDetails: Record<string, unknown> | null): Node | null {
  const note = eventDetails?.note;
  return typeof note === 'string' && note ? h('p', { class: 'note' }, 'Note : ', h('q', { text: note })) : null;
}

function reportedBy(box: Box): HTMLElement {
  const r = box.reported;
  return details([
    ['Mot d’état', r.status],
    ['Dernier heartbeat', dateTime(r.at)],
    ['File déclarée', String(r.queueSize)],
    ['Mémoire', r.memoryUsage === null ? '—' : `${r.memoryUsage} %`],
    ['Traitées (selon la CallBox)', r.processedTransactions === null ? '—' : String(r.processedTransactions)],
    ['Métriques du', dateTime(r.metricsAt)],
  ]);
}
