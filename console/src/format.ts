/** French wording and formats (dates in the browser's local time). */
export const STATUSES = ['pending', 'assigned', 'processing', 'completed', 'failed', 'retry', 'needs_review', 'expired'] as const;

const STATUS_LABELS: Record<string, string> = {
  pending: 'En attente',
  assigned: 'Assignée',
  processing: 'En cours',
  completed: 'Terminée',
  failed: 'Échouée',
  retry: 'À réessayer',
  needs_review: 'À vérifier',
  expired: 'Expirée',
};
export const TYPES = ['recharge', 'voucher', 'deposit', 'withdraw'] as const;
const TYPE_LABELS: Record<string, string> = { recharge: 'Recharge', voucher: 'Forfait', deposit: 'Dépôt', withdraw: 'Retrait' };
const BOX_STATES: Record<string, string> = { active: 'Active', disconnected: 'Déconnectée', degraded: 'Dégradée' };
const DEGRADED_REASONS: Record<string, string> = {
  consecutive_failures: 'échecs consécutifs',
  failure_rate: "taux d'échec",
  lease_expired: 'travail gardé au-delà du bail',
};
const BREAKER: Record<string, string> = { closed: 'Fermé (SOAP répond)', open: 'Ouvert (SOAP en panne, appels refusés)', half_open: 'Semi-ouvert (essai en cours)' };

export const statusLabel = (status: string) => STATUS_LABELS[status] ?? status;
export const typeLabel = (type: string) => TYPE_LABELS[type] ?? type;
export const boxStateLabel = (state: string) => BOX_STATES[state] ?? state;
export const degradedReasonLabel = (reason: string) => DEGRADED_REASONS[reason] ?? reason;
export const breakerLabel = (state: string) => BREAKER[state] ?? state;
/** A CSS class from a known word only (never from free text). */
export const statusClass = (status: string) => `status status-${(STATUSES as readonly string[]).includes(status) ? status : 'other'}`;
export const isAlarming = (status: string) => status === 'needs_review' || status === 'failed' || status === 'expired';

const dateFormat = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'medium' });
const timeFormat = new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit' });
const numberFormat = new Intl.NumberFormat('fr-FR');

export const dateTime = (iso: string | null) => (iso === null ? '—' : dateFormat.format(new Date(iso)));
export const clock = (iso: string) => timeFormat.format(new Date(iso));
export const number = (n: number | null | undefined) => (n === null || n === undefined ? '—' : numberFormat.format(n));
export const amount = (n: number | null) => (n === null ? '—' : `${numberFormat.format(n)} DJF`);

/** `il y a 3 min` from a duration in milliseconds. */
export function ago(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `il y a ${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `il y a ${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `il y a ${hours} h` : `il y a ${Math.round(hours / 24)} j`;
}

export const since = (iso: string) => ago(Date.now() - new Date(iso).getTime());

/** Uptime in seconds, as `2 j 3 h` or `5 min`. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d > 0 ? `${d} j ${h} h` : h > 0 ? `${h} h ${m} min` : `${m} min`;
}
