import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, finalize, map, Observable, throwError, timeout, TimeoutError } from 'rxjs';
import { AppConfig } from '../config/app-config';
import { topUpRateKey } from '../common/throttling/rate-limit-keys';
import { SoapCallTrace, SoapDebug } from './debug/soap-debug';
import { TopUpError } from './errors/topup-error';

/** Spec 004 "Limites et Quotas". */
export const MAX_IN_FLIGHT_PER_NUMBER = 10;
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * The TopUp quotas: at most 10 requests in flight per user, that is per mobile number and client
 * address (the 11th is refused at once),
 * TOPUP_REQUEST_TIMEOUT_MS (60 s) per request, answers under 1 MB; and, when enabled, the `X-Debug: true` trace of SOAP calls.
 */
@Injectable()
export class TopUpRequestLimitsInterceptor implements NestInterceptor {
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly config: AppConfig) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    // Per (number, client address), as the rate limit: another address's flood never fills the owner's slots.
    const key = topUpRateKey(request as never);
    const current = this.inFlight.get(key) ?? 0;
    if (current >= MAX_IN_FLIGHT_PER_NUMBER) {
      return throwError(
        () =>
          new TopUpError(429, {
            erreur: 'Trop de requêtes simultanées',
            message: `${MAX_IN_FLIGHT_PER_NUMBER} requêtes au plus en parallèle par numéro : réessayez quand les précédentes ont abouti`,
            returnCode: 'TOO_MANY_CONCURRENT_REQUESTS',
            // A slot frees when one of the ten ends: usually within the second.
            details: { retry_after_seconds: 1 },
          }),
      );
    }
    this.inFlight.set(key, current + 1);
    const debug = this.config.debugHeaderEnabled && String(request.headers['x-debug']).toLowerCase() === 'true';
    const began = performance.now();
    const calls: SoapCallTrace[] = [];
    const handled = debug ? SoapDebug.traced(() => next.handle(), calls) : next.handle();
    return handled.pipe(
      // A command answers before this itself (CommandRunner), with its id and whether it may have run.
      timeout(this.config.topupRequestTimeoutMs),
      catchError((error: unknown) => {
        if (error instanceof TopUpError && isReplay(error.body)) markReplayed(reply);
        return throwError(() => (error instanceof TimeoutError ? ceilingReached(this.config.topupRequestTimeoutMs) : error));
      }),
      map((body) => {
        if (isReplay(body)) markReplayed(reply);
        const answer = debug && body && typeof body === 'object'
          ? { ...body, debug: { soap_calls: calls, total_duration_ms: Math.round(performance.now() - began) } }
          : body;
        if (Buffer.byteLength(JSON.stringify(answer)) > MAX_RESPONSE_BYTES) throw responseTooLarge();
        return answer;
      }),
      finalize(() => {
        const left = (this.inFlight.get(key) ?? 1) - 1;
        if (left <= 0) this.inFlight.delete(key);
        else this.inFlight.set(key, left);
      }),
    );
  }
}

/** The header twin of a replayed command answer's `replayed: true`. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

function isReplay(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { replayed?: unknown }).replayed === true;
}

function markReplayed(reply: FastifyReply): void {
  void reply.header(REPLAYED_HEADER, 'true');
}

function ceilingReached(ceilingMs: number): TopUpError {
  return new TopUpError(503, {
    erreur: 'Service indisponible',
    message: `La requête a dépassé ${ceilingMs / 1000} secondes`,
    returnCode: 'REQUEST_TIMEOUT',
  });
}

function responseTooLarge(): TopUpError {
  return new TopUpError(502, {
    erreur: 'Réponse trop volumineuse',
    message: 'La réponse du service dépasse 1 Mo',
    returnCode: 'RESPONSE_TOO_LARGE',
  });
}
