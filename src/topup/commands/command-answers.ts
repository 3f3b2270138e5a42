import { createHash, createHmac } from 'node:crypto';
import { TopUpError } from '../errors/topup-error';
import { aboutCommand, TopUpUnavailableError } from '../gateway/topup-unavailable.error';
import { topUpErrorResponse } from '../errors/topup-error.renderer';

/** The request a refusal is about, for its `details` (the spec's error body). */
export interface RefusalContext {
  msisdn: string;
  isdn?: string;
  now: number;
}

/** A refusal about a command, in the TopUp body, with the command's transaction_id and the spec's `details`. */
export function refusal(
  status: number,
  erreur: string,
  message: string,
  returnCode: string,
  transactionId: string,
  context: RefusalContext,
): TopUpError {
  return new TopUpError(status, {
    erreur,
    message,
    returnCode,
    transaction_id: transactionId,
    details: {
      mobile_msisdn: context.msisdn,
      ...(context.isdn && { fixed_isdn: context.isdn }),
      error_source: 'GATEWAY',
      error_type: returnCode,
      timestamp: new Date(context.now).toISOString(),
    },
  });
}

/**
 * Whoever sent it, this id now answers nothing but this: its request, PIN or outcome are not told
 * (`details` speaks of this request only).
 */
export const idReused = (transactionId: string, context: RefusalContext) =>
  refusal(
    409,
    'Identifiant de transaction déjà utilisé',
    'Ce transaction_id a déjà servi pour une autre demande : chaque commande demande un transaction_id nouveau',
    'TRANSACTION_ID_REUSED',
    transactionId,
    context,
  );

export const stillRunning = (transactionId: string, context: RefusalContext) =>
  refusal(409, 'Transaction en cours', 'Cette transaction est déjà en cours de traitement', 'TRANSACTION_IN_PROGRESS', transactionId, context);

export function pinLocked(msisdn: string, until: number, now: number, transactionId: string): TopUpError {
  const minutes = Math.max(1, Math.ceil((until - now) / 60_000));
  return new TopUpError(429, {
    erreur: 'Numéro temporairement bloqué',
    message: `Trop de codes PIN incorrects : les opérations de ce numéro sont bloquées pendant encore ${minutes} minute${minutes > 1 ? 's' : ''}`,
    returnCode: 'PIN_LOCKED',
    transaction_id: transactionId,
    details: { mobile_msisdn: msisdn, locked_until: new Date(until).toISOString(), retry_after_seconds: Math.max(1, Math.ceil((until - now) / 1000)) },
  });
}

/**
 * Any failure of a command as the TopUp error it is answered with, carrying the command's
 * transaction_id (a generated one too) so the caller can ask again about the same command; and,
 * for the 503s, whether the command may have run (`outcome_unknown`).
 */
export function withTransactionId(error: unknown, transactionId: string, now: number, outcomeUnknown?: boolean): TopUpError | TopUpUnavailableError {
  // Rendered by the filter, which knows the backend's public URL for the "Erreur SOAP" body.
  if (error instanceof TopUpUnavailableError) return aboutCommand(error, transactionId, outcomeUnknown ?? error.outcomeUnknown);
  const { status, body } =
    error instanceof TopUpError ? { status: error.httpStatus, body: error.body } : topUpErrorResponse(error, { method: 'POST', url: '', id: transactionId }, null, new Date(now));
  const details = body.details && typeof body.details === 'object' ? (body.details as Record<string, unknown>) : undefined;
  const answer = {
    ...body,
    transaction_id: transactionId,
    ...(outcomeUnknown !== undefined && { details: { ...details, outcome_unknown: outcomeUnknown } }),
  } as unknown as TopUpError['body'];
  return new TopUpError(status, answer);
}

/** What makes two requests "the same command": the request without its PIN, canonical. */
export function requestHashOf(value: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

/** Keyed, so the journal's digests cannot be turned back into PINs by trying the 10 000 of them. */
export function pinDigestOf(key: string, msisdn: string, pin: string): string {
  return createHmac('sha256', key).update(`${msisdn}:${pin}`).digest('hex');
}
