import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { loadAppConfig } from '../../config/app-config';
import { DomainError } from '../errors/domain-error';
import { Audience, AuthGuard } from './auth.guard';
import { Credentials } from './credentials';

const TOKEN = 'shared-callbox-token-0001';
const BOUND = 'bound-token-of-callbox-002';
const API_KEY = 'admin-api-key-0000000001';

function contextFor(headers: Record<string, string>) {
  const request: { headers: Record<string, string>; principal?: unknown } = { headers };
  const context = {
    getHandler: () => undefined,
    getClass: () => undefined,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { context, request };
}

function guardFor(audience: Audience) {
  const config = loadAppConfig({ CALLBOX_TOKEN: TOKEN, API_KEY, CALLBOX_TOKENS: `callbox_002:${BOUND}` });
  const reflector = { getAllAndOverride: () => audience } as unknown as Reflector;
  return new AuthGuard(reflector, new Credentials(config));
}

function outcome(audience: Audience, headers: Record<string, string>): unknown {
  const { context, request } = contextFor(headers);
  try {
    guardFor(audience).canActivate(context);
    return request.principal;
  } catch (error) {
    return (error as DomainError).code;
  }
}

describe(AuthGuard.name, () => {
  it('lets a box in with the shared token, bound to no box', () => {
    expect(outcome('callbox', { authorization: `Bearer ${TOKEN}` })).toEqual({ kind: 'callbox', boundTo: null });
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
    expect(outcome('callbox-or-admin', { authorization: `Bearer ${TOKEN}` })).toEqual({ kind: 'callbox', boundTo: null });
    expect(outcome('callbox-or-admin', {})).toBe('AUTH.MISSING_TOKEN');
  });
});
