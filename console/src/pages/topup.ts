import { api } from '../api.js';
import { h, replace, table } from '../dom.js';
import { breakerLabel, dateTime, number } from '../format.js';
import type { Overview, PinLock } from '../types.js';
import { describeError, details, every, heading, messageArea } from '../ui.js';

const OUTCOMES: Record<string, string> = {
  success: 'Réussis',
  operator_refusal: 'Refusés par l’opérateur',
  network: 'Erreurs réseau',
  timeout: 'Délais dépassés',
  fault: 'Fautes SOAP',
  auth: 'Refus d’authentification',
  http: 'Erreurs HTTP',
  breaker_open: 'Refusés (disjoncteur ouvert)',
};

/** The SOAP side (breaker, calls by outcome) and the PIN locks in force, each with its unlock. */
export function topUpPage(main: HTMLElement) {
  const message = messageArea();
  const soap = h('section', { class: 'card', attrs: { 'aria-labelledby': 'soap' } });
  const locks = h('section', { class: 'card', attrs: { 'aria-labelledby': 'verrous' } });
  main.append(heading('TopUp'), message.element, soap, locks);

  async function refresh(): Promise<void> {
    try {
      const [{ overview }, pins] = await Promise.all([api<{ overview: Overview }>('GET', '/api/admin/overview'), api<{ locks: PinLock[] }>('GET', '/api/admin/pin-locks')]);
      replace(
        soap,
        h('h2', { id: 'soap', text: 'Système SOAP de l’opérateur' }),
        details([
          ['Disjoncteur', h('strong', { class: overview.soap.breaker === 'closed' ? 'ok' : 'alarm', text: breakerLabel(overview.soap.breaker) })],
          ...Object.entries(overview.soap.callsSinceStart).map(([outcome, n]): [string, string] => [OUTCOMES[outcome] ?? outcome, number(n)]),
        ]),
        h('p', { class: 'hint', text: 'Appels de cette instance depuis son démarrage.' }),
      );
      replace(
        locks,
        h('h2', { id: 'verrous', text: 'Verrous PIN en vigueur' }),
        pins.locks.length === 0
          ? h('p', { text: 'Aucun numéro verrouillé.' })
          : table(
              `${pins.locks.length} verrou(s)`,
              ['Numéro', 'Portée', 'Adresse', 'Jusqu’à', 'Verrous en 24 h', 'Action'],
              pins.locks.map((lock) => [
                lock.msisdn,
                lock.scope === 'number' ? 'Toutes adresses' : 'Une adresse',
                lock.clientAddress ?? '—',
                dateTime(lock.lockedUntil),
                String(lock.locks),
                h('button', { attrs: { type: 'button', 'aria-label': `Déverrouiller ${lock.msisdn}` }, text: 'Déverrouiller', on: { click: () => void unlock(lock.msisdn) } }),
              ]),
            ),
      );
    } catch (error) {
      message.error(describeError(error));
    }
  }

  async function unlock(msisdn: string): Promise<void> {
    try {
      const { lifted } = await api<{ lifted: number }>('DELETE', `/api/admin/pin-locks/${encodeURIComponent(msisdn)}`);
      message.info(`${msisdn} déverrouillé (${lifted} verrou(s) levé(s)).`);
      await refresh();
    } catch (error) {
      message.error(describeError(error));
    }
  }

  return every(10_000, refresh);
}
