import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { loadAppConfig } from '../../config/app-config';
import { DomainError } from '../errors/domain-error';
import { assertMayActAs, Principal } from './principal';
import { AuthFailureBudget } from './auth-failure-budget';
import { Audience, AuthGuard, Authenticated } from './auth.guard';
import { Credentials } from './credentials';

const TOKEN = 'shared-callbox-token-0001';
const BOUND = 'bound-token-of-callbox-002';
const API_KEY = 'admin-api-key-0000000001';

function contextFor(headers: Record<string, string>, ip = '192.0.2.1') {
  const request: { headers: Record<string, string>; ip: string; principal?: unknown } = { headers, ip };
  const replyHeaders: Record<string, string> = {};
  const reply = { header: (name: string, value: string) => (replyHeaders[name] = value) };
  const context = {
    getHandler: () => undefined,
    getClass: () => undefined,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
    getArgByIndex: (index: number) => [request, reply][index],
  } as unknown as ExecutionContext;
  return { context, request, replyHeaders };
}

const config = loadAppConfig({ CALLBOX_TOKEN: TOKEN, API_KEY, CALLBOX_TOKENS: `callbox_002:${BOUND}`, AUTH_FAILURE_LIMIT_PER_MINUTE: '3' });

function guardFor(audience: Audience | undefined, failures = new AuthFailureBudget(config)) {
  const reflector = { getAllAndOverride: () => audience } as unknown as Reflector;
  return new AuthGuard(reflector, new Credentials(config), failures);
}

function outcome(audience: Audience, headers: Record<string, string>, guard = guardFor(audience), ip?: string): unknown {
  const { context, request } = contextFor(headers, ip);
  try {
    guard.canActivate(context);
    return request.principal;
  } catch (error) {
    return (error as DomainError).code;
  }
}

const SHARED: Principal = { kind: 'callbox', boundTo: null, excluded: new Set(['callbox_002']) };

describe(AuthGuard.name, () => {
  it('lets a box in with the shared token, bound to no box', () => {
    expect(outcome('callbox', { authorization: `Bearer ${TOKEN}` })).toEqual(SHARED);
  });

  it('binds a box-bound token to its box', () => {
    expect(outcome('callbox', { authorization: `Bearer ${BOUND}` })).toEqual({ kind: 'callbox', boundTo: 'callbox_002' });
  });

  it.each([
    [{}, 'AUTH.MISSING_TOKEN'],
    [{ authorization: 'Bearer nope-nope-nope-nope' }, 'AUTH.INVALID_TOKEN'],
    [{ authorization: TOKEN }, 'AUTH.INVALID_TOKEN'],
    [{ 'x-api-key': API_KEY }, 'AUTH.CALLBOX_TOKEN_REQUIRED'],
  ])('refuses a box route with %j: %s', (headers, code) => {
    expect(outcome('callbox', headers as Record<string, string>)).toBe(code);
  });

  it.each([
    [{}, 'AUTH.MISSING_API_KEY'],
    [{ 'x-api-key': 'wrong-key-wrong-key' }, 'AUTH.INVALID_API_KEY'],
    [{ authorization: `Bearer ${TOKEN}` }, 'AUTH.ADMIN_REQUIRED'],
  ])('refuses an admin route with %j: %s', (headers, code) => {
    expect(outcome('admin', headers as Record<string, string>)).toBe(code);
  });

  it('lets an admin in with the API key', () => {
    expect(outcome('admin', { 'x-api-key': API_KEY })).toEqual({ kind: 'admin' });
  });

  it('accepts either credential where both audiences may call', () => {
    expect(outcome('callbox-or-admin', { 'x-api-key': API_KEY })).toEqual({ kind: 'admin' });
    expect(outcome('callbox-or-admin', { authorization: `Bearer ${TOKEN}` })).toEqual(SHARED);
    expect(outcome('callbox-or-admin', {})).toBe('AUTH.MISSING_TOKEN');
  });

  it('lets any request through on a route that asks for no credential', () => {
    expect(outcome(undefined as unknown as Audience, {}, guardFor(undefined))).toBeUndefined();
  });

  it('answers an address past its failed-authentication budget 429 at once, but never refuses a valid credential', () => {
    const guard = guardFor('callbox');
    const wrong = { authorization: 'Bearer nope-nope-nope-nope' };
    expect([1, 2, 3].map(() => outcome('callbox', wrong, guard))).toEqual(['AUTH.INVALID_TOKEN', 'AUTH.INVALID_TOKEN', 'AUTH.INVALID_TOKEN']);
    expect(outcome('callbox', wrong, guard)).toBe('AUTH.TOO_MANY_FAILURES');
    expect(outcome('callbox', {}, guard)).toBe('AUTH.TOO_MANY_FAILURES');
    expect(outcome('callbox', { authorization: `Bearer ${BOUND}` }, guard)).toEqual({ kind: 'callbox', boundTo: 'callbox_002' });
    // Another address has its own budget.
    expect(outcome('callbox', wrong, guard, '198.51.100.7')).toBe('AUTH.INVALID_TOKEN');
  });
});

describe(`${AuthGuard.name} with Nest's Reflector`, () => {
  class Routes {
    @Authenticated('callbox')
    box() {}
    @Authenticated('admin')
    admin() {}
    open() {}
  }

  it("keeps each handler's audience apart once read (the guard remembers it per handler)", () => {
    const guard = new AuthGuard(new Reflector(), new Credentials(config), new AuthFailureBudget(config));
    const on = (handler: () => void, headers: Record<string, string>) => {
      const { context, request } = contextFor(headers);
      const target = context as unknown as { getHandler: () => unknown; getClass: () => unknown };
      target.getHandler = () => handler;
      target.getClass = () => Routes;
      try {
        guard.canActivate(context);
        return request.principal ?? 'open';
      } catch (error) {
        return (error as DomainError).code;
      }
    };
    for (let round = 0; round < 2; round++) {
      expect(on(Routes.prototype.box, { authorization: `Bearer ${BOUND}` })).toEqual({ kind: 'callbox', boundTo: 'callbox_002' });
      expect(on(Routes.prototype.admin, { authorization: `Bearer ${BOUND}` })).toBe('AUTH.ADMIN_REQUIRED');
      expect(on(Routes.prototype.admin, { 'x-api-key': API_KEY })).toEqual({ kind: 'admin' });
      expect(on(Routes.prototype.box, {})).toBe('AUTH.MISSING_TOKEN');
      expect(on(Routes.prototype.open, {})).toBe('open');
    }
  });

  it('tells a token apart by every byte of its UTF-8 form', () => {
    const accented = loadAppConfig({ CALLBOX_TOKEN: 'jeton-privé-de-la-flotte-01', API_KEY });
    const credentials = new Credentials(accented);
    expect(credentials.callboxPrincipal('jeton-privé-de-la-flotte-01')).toMatchObject({ kind: 'callbox', boundTo: null });
    expect(credentials.callboxPrincipal('jeton-prive-de-la-flotte-01')).toBeNull();
    expect(credentials.callboxPrincipal('jeton-privè-de-la-flotte-01')).toBeNull();
  });
});

describe(assertMayActAs.name, () => {
  it('lets a bound token act for its own box only', () => {
    const bound: Principal = { kind: 'callbox', boundTo: 'callbox_002' };
    expect(() => assertMayActAs(bound, 'callbox_002')).not.toThrow();
    expect(() => assertMayActAs(bound, 'callbox_001')).toThrow(expect.objectContaining({ code: 'AUTH.CALLBOX_MISMATCH' }));
  });

  it('lets the shared token act for any box but those with a token of their own', () => {
    expect(() => assertMayActAs(SHARED, 'callbox_001')).not.toThrow();
    expect(() => assertMayActAs(SHARED, 'callbox_002')).toThrow(expect.objectContaining({ code: 'AUTH.CALLBOX_MISMATCH' }));
  });

  it('lets an admin act for any box', () => {
    expect(() => assertMayActAs({ kind: 'admin' }, 'callbox_002')).not.toThrow();
  });
});
