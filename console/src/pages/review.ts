import { api } from '../api.js';
import { field, h, replace, table, uid } from '../dom.js';
import { amount, since, typeLabel } from '../format.js';
import { loadTransaction, transactionDetail } from '../transaction-detail.js';
import type { Box, Transaction, TransactionPage } from '../types.js';
import { button, describeError, every, heading, messageArea } from '../ui.js';

/** needs_review, oldest first; a detail pane to settle one, with a required note and a confirmation. */
export function reviewPage(main: HTMLElement) {
  const message = messageArea();
  const list = h('div', { class: 'card' });
  const pane = h('section', { class: 'card detail-pane', attrs: { 'aria-label': 'Transaction sélectionnée' } });
  main.append(heading('À vérifier'), h('p', { class: 'hint', text: "Travail qu'une CallBox perdue a peut-être exécuté : vérifiez auprès de l'opérateur, puis tranchez." }), message.element, h('div', { class: 'split' }, list, pane));
  let selected: string | null = null;

  async function refresh(): Promise<void> {
    try {
      const page = await api<TransactionPage>('GET', '/api/admin/review-queue?limit=200');
      renderList(page.transactions);
    } catch (error) {
      message.error(describeError(error));
    }
  }

  function renderList(transactions: Transaction[]): void {
    if (transactions.length === 0) return replace(list, h('p', { text: 'Rien à vérifier.' }));
    const rows = transactions.map((tx) => [
      h('button', { class: 'link', attrs: { type: 'button', 'aria-pressed': tx.id === selected ? 'true' : 'false' }, text: tx.id, on: { click: () => void open(tx.id) } }),
      since(tx.updatedAt),
      tx.assignedTo ?? '—',
      typeLabel(tx.type),
      amount(tx.amount),
      tx.phoneNumber,
      tx.customerInfo?.operator ?? '—',
    ]);
    replace(list, table(`${transactions.length} transaction(s) à vérifier, les plus anciennes en premier`, ['Transaction', 'En attente depuis', 'CallBox', 'Type', 'Montant', 'Numéro', 'Opérateur'], rows));
  }

  async function open(id: string): Promise<void> {
    selected = id;
    try {
      const [tx, { boxes }] = await Promise.all([loadTransaction(id), api<{ boxes: Box[] }>('GET', '/api/admin/boxes')]);
      const box = boxes.find((b) => b.id === tx.assignedTo);
      replace(pane, h('h2', { attrs: { tabindex: -1 }, text: `Transaction ${tx.id}` }), transactionDetail(tx, box), tx.status === 'needs_review' ? settleForm(tx) : null);
      (pane.querySelector('h2') as HTMLElement).focus();
      void refresh();
    } catch (error) {
      message.error(describeError(error));
    }
  }

  function settleForm(tx: Transaction): HTMLElement {
    const formMessage = messageArea();
    const name = uid('issue');
    const completed = h('input', { attrs: { type: 'radio', name, value: 'completed', checked: true } });
    const failed = h('input', { attrs: { type: 'radio', name, value: 'failed' } });
    const reference = h('input', { attrs: { type: 'text', name: 'reference', maxlength: 100, autocomplete: 'off' } });
    const note = h('textarea', { attrs: { name: 'note', required: true, maxlength: 1000, rows: 3 } });
    const actions = h('div', { class: 'actions' }, h('button', { attrs: { type: 'submit' }, text: 'Trancher…' }));
    const form = h(
      'form',
      { class: 'settle', attrs: { novalidate: true } },
      h('h3', { text: 'Trancher' }),
      h(
        'fieldset',
        {},
        h('legend', { text: 'Issue constatée auprès de l’opérateur' }),
        h('label', {}, completed, ' Terminée : le client a été servi'),
        h('label', {}, failed, ' Échouée : rien n’a été exécuté'),
      ),
      field('Référence opérateur (facultatif, si terminée)', reference),
      field('Note (obligatoire)', note, 'Ce que vous avez vérifié, et auprès de qui.'),
      formMessage.element,
      actions,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const outcome = completed.checked ? 'completed' : 'failed';
      if (!note.value.trim()) {
        note.setAttribute('aria-invalid', 'true');
        formMessage.error('La note est obligatoire.');
        return note.focus();
      }
      note.removeAttribute('aria-invalid');
      formMessage.clear();
      const confirm = button('Confirmer', () => void settle(outcome), 'danger');
      replace(
        actions,
        h('p', { text: `Marquer ${tx.id} comme ${outcome === 'completed' ? 'terminée' : 'échouée'} ? La décision est définitive et le système principal en sera averti.` }),
        confirm,
        button('Annuler', () => {
          replace(actions, h('button', { attrs: { type: 'submit' }, text: 'Trancher…' }));
          (actions.querySelector('button') as HTMLButtonElement).focus();
        }),
      );
      confirm.focus();
    });

    async function settle(outcome: 'completed' | 'failed'): Promise<void> {
      const ref = reference.value.trim();
      try {
        await api('POST', `/api/call-box/transactions/${encodeURIComponent(tx.id)}/resolve`, {
          outcome,
          note: note.value.trim(),
          ...(outcome === 'completed' && ref && { transactionRef: ref }),
        });
        message.info(`Transaction ${tx.id} tranchée : ${outcome === 'completed' ? 'terminée' : 'échouée'}.`);
      } catch (error) {
        message.error(describeError(error));
      }
      await open(tx.id);
    }
    return form;
  }

  replace(pane, h('p', { text: 'Choisissez une transaction dans la liste.' }));
  return every(10_000, refresh);
}
