import { applyDecorators, CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error';
import { replyOf, requestOf } from '../http/http-args';
import { AuthFailureBudget } from './auth-failure-budget';
import { Credentials } from './credentials';
import type { Principal } from './principal';

export type Audience = 'callbox' | 'admin' | 'callbox-or-admin';
const AUDIENCE = 'merecharge:audience';

export const BEARER_SCHEME = 'callbox-token';
export const API_KEY_SCHEME = 'api-key';

/**
 * A request past the AuthGuard. The device routes take it with `@Req()` and read `principal`: Nest
 * hands `@Req()` over as it is, where a custom param (`@CurrentPrincipal()`) goes through the
 * global pipe, a chain of about six promises, an execution context and an argument array per
 * request (the fleet of 10 000's scavenges are made of such garbage).
 */
export type AuthenticatedRequest = FastifyRequest & { principal: Principal };

/**
 * Who may call a route: CallBox firmware (Bearer), the admin / main system (x-api-key), or either.
 * Checked by the global AuthGuard, which runs before the rate limits (see ThrottlingModule).
 */
export function Authenticated(audience: Audience) {
  const docs = [];
  if (audience !== 'admin') docs.push(ApiBearerAuth(BEARER_SCHEME));
  if (audience !== 'callbox') docs.push(ApiSecurity(API_KEY_SCHEME));
  return applyDecorators(SetMetadata(AUDIENCE, audience), ...docs);
}

const unauthenticated = (code: string, message: string) => new DomainError(code, 'unauthenticated', message);

/**
 * Authenticates every route marked `@Authenticated`, first of all guards: no budget of a principal
 * is spent before it is proven. A failure spends the caller's address budget (AuthFailureBudget).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: Credentials,
    private readonly failures: AuthFailureBudget,
  ) {}

  /** Each handler's audience, read once (metadata is fixed at boot; the Reflector walks it each time). */
  private readonly audiences = new WeakMap<object, { classRef: unknown; audience: Audience | undefined }>();

  canActivate(context: ExecutionContext): boolean {
    const audience = this.audienceOf(context.getHandler(), context.getClass());
    if (!audience) return true;
    const request = requestOf<AuthenticatedRequest>(context);
    try {
      request.principal = this.authenticate(audience, bearerToken(request), header(request, 'x-api-key'));
      return true;
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'unauthenticated') this.spendFailure(request, context);
      throw error;
    }
  }

  private audienceOf(handler: object | undefined, classRef: unknown): Audience | undefined {
    const known = handler ? this.audiences.get(handler) : undefined;
    if (known && known.classRef === classRef) return known.audience;
    const audience = this.reflector.getAllAndOverride<Audience | undefined>(AUDIENCE, [handler, classRef] as Array<() => unknown>);
    if (handler) this.audiences.set(handler, { classRef, audience });
    return audience;
  }

  private spendFailure(request: FastifyRequest, context: ExecutionContext): void {
    const waitSeconds = this.failures.spend(request.ip);
    if (waitSeconds === null) return;
    void replyOf(context).header('Retry-After', String(waitSeconds));
    throw new DomainError('AUTH.TOO_MANY_FAILURES', 'rate_limited', "Trop d'échecs d'authentification depuis cette adresse : réessayez plus tard");
  }

  private authenticate(audience: Audience, bearer: string | null, apiKey: string | null): Principal {
    const admin = apiKey !== null && this.credentials.isApiKey(apiKey);
    const callbox = bearer !== null ? this.credentials.callboxPrincipal(bearer) : null;
    if (apiKey !== null && !admin) throw unauthenticated('AUTH.INVALID_API_KEY', 'Clé API invalide');
    if (bearer !== null && !callbox) throw unauthenticated('AUTH.INVALID_TOKEN', "Token d'authentification invalide");

    if (audience === 'admin') {
      if (admin) return { kind: 'admin' };
      if (callbox) {
        throw new DomainError('AUTH.ADMIN_REQUIRED', 'forbidden', 'Cette opération demande la clé API (x-api-key)');
      }
      throw unauthenticated('AUTH.MISSING_API_KEY', 'Clé API manquante (en-tête x-api-key)');
    }
    if (audience === 'callbox' && callbox) return callbox;
    if (audience === 'callbox-or-admin' && (callbox || admin)) return callbox ?? { kind: 'admin' };
    if (audience === 'callbox' && admin) {
      throw new DomainError('AUTH.CALLBOX_TOKEN_REQUIRED', 'forbidden', 'Cette opération demande un token CallBox');
    }
    throw unauthenticated('AUTH.MISSING_TOKEN', "Token d'authentification manquant (Authorization: Bearer ...)");
  }
}

function header(request: FastifyRequest, name: string): string | null {
  const value = request.headers[name];
  return typeof value === 'string' ? value : null;
}

function bearerToken(request: FastifyRequest): string | null {
  const value = header(request, 'authorization');
  if (value === null) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  // A malformed Authorization header is a wrong token, not a missing one: '' never matches.
  return match ? match[1] : '';
}
