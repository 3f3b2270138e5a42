import { api, query, request } from '../api.js';
import { field, h, replace, table } from '../dom.js';
import { amount, dateTime, statusLabel, STATUSES, typeLabel, TYPES } from '../format.js';
import { loadTransaction, transactionDetail } from '../transaction-detail.js';
import type { TransactionPage } from '../types.js';
import { badge, describeError, heading, messageArea } from '../ui.js';

/** Search (id, number in either form, status, type, box, time range), newest first, by pages; CSV of the filter. */
export function transactionsPage(main: HTMLElement): void {
  const message = messageArea();
  const id = h('input', { attrs: { type: 'text', name: 'id', autocomplete: 'off' } });
  const phone = h('input', { attrs: { type: 'text', name: 'phoneNumber', inputmode: 'tel', autocomplete: 'off' } });
  const status = select('status', [['', 'Tous'], ...STATUSES.map((s): [string, string] => [s, statusLabel(s)])]);
  const type = select('type', [['', 'Tous'], ...TYPES.map((t): [string, string] => [t, typeLabel(t)])]);
  const box = h('input', { attrs: { type: 'text', name: 'callboxId', autocomplete: 'off' } });
  const from = h('input', { attrs: { type: 'datetime-local', name: 'from' } });
  const to = h('input', { attrs: { type: 'datetime-local', name: 'to' } });
  const results = h('div', { class: 'card', attrs: { 'aria-live': 'polite' } });
  const pane = h('section', { class: 'card detail-pane', attrs: { 'aria-label': 'Transaction sélectionnée' } });
  const form = h(
    'form',
    { class: 'card filters', attrs: { role: 'search', novalidate: true } },
    field('Identifiant', id),
    field('Numéro (77… ou 25377…)', phone),
    field('Statut', status),
    field('Type', type),
    field('CallBox', box),
    field('Créée à partir de', from),
    field('Créée avant', to),
    h('div', { class: 'actions' }, h('button', { attrs: { type: 'submit' }, text: 'Rechercher' }), h('button', { attrs: { type: 'button' }, text: 'Exporter en CSV', on: { click: () => void exportCsv() } })),
  );
  main.append(heading('Transactions'), form, message.element, h('div', { class: 'split' }, results, pane));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void search(undefined);
  });

  const filters = () => ({
    id: id.value.trim(),
    phoneNumber: phone.value.trim(),
    status: status.value,
    type: type.value,
    callboxId: box.value.trim(),
    from: from.value ? new Date(from.value).toISOString() : '',
    to: to.value ? new Date(to.value).toISOString() : '',
  });

  async function search(cursor: string | undefined): Promise<void> {
    try {
      const page = await api<TransactionPage>('GET', `/api/admin/transactions${query({ ...filters(), cursor, limit: 50 })}`);
      message.clear();
      render(page, cursor);
    } catch (error) {
      message.error(describeError(error));
    }
  }

  function render(page: TransactionPage, cursor: string | undefined): void {
    const rows = page.transactions.map((tx) => [
      dateTime(tx.createdAt),
      h('button', { class: 'link', attrs: { type: 'button' }, text: tx.id, on: { click: () => void open(tx.id) } }),
      badge(tx.status),
      typeLabel(tx.type),
      amount(tx.amount),
      tx.phoneNumber,
      tx.customerInfo?.name ?? '—',
      tx.assignedTo ?? '—',
    ]);
    const nav = h('div', { class: 'actions' });
    if (cursor !== undefined) {
      nav.append(h('button', { attrs: { type: 'button' }, text: 'Première page', on: { click: () => void search(undefined) } }));
    }
    if (page.nextCursor) {
      const next = page.nextCursor;
      nav.append(h('button', { attrs: { type: 'button' }, text: 'Page suivante', on: { click: () => void search(next) } }));
    }
    replace(
      results,
      page.transactions.length === 0
        ? h('p', { text: 'Aucune transaction ne correspond.' })
        : table(`${page.transactions.length} transaction(s), les plus récentes en premier`, ['Créée', 'Transaction', 'Statut', 'Type', 'Montant', 'Numéro', 'Client', 'CallBox'], rows),
      nav,
    );
  }

  async function open(transactionId: string): Promise<void> {
    try {
      const tx = await loadTransaction(transactionId);
      replace(pane, h('h2', { attrs: { tabindex: -1 }, text: `Transaction ${tx.id}` }), transactionDetail(tx));
      (pane.querySelector('h2') as HTMLElement).focus();
    } catch (error) {
      message.error(describeError(error));
    }
  }

  async function exportCsv(): Promise<void> {
    try {
      const response = await request('GET', `/api/admin/transactions/export${query(filters())}`);
      const link = h('a', { attrs: { href: URL.createObjectURL(await response.blob()), download: 'transactions.csv' } });
      document.body.append(link);
      link.click();
      link.remove();
      const truncated = response.headers.get('x-export-truncated');
      message.info(truncated ? `Export limité aux ${truncated} transactions les plus récentes : affinez le filtre.` : 'Export CSV prêt.');
    } catch (error) {
      message.error(describeError(error));
    }
  }

  replace(pane, h('p', { text: 'Choisissez une transaction dans les résultats.' }));
  void search(undefined);
}

function select(name: string, options: Array<[string, string]>): HTMLSelectElement {
  return h('select', { attrs: { name } }, ...options.map(([value, label]) => h('option', { attrs: { value }, text: label })));
}
