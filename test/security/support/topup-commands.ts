/** The five TopUp commands (each checks the mobile's PIN), as an attacker or a customer sends them. */
export const COMMAND_ENDPOINTS = ['update-pin', 'recharge-account', 'subscribe-package', 'directory/add', 'directory/remove'] as const;
export type CommandEndpoint = (typeof COMMAND_ENDPOINTS)[number];

/** A fixed line every command accepts (the simulator's fixture). */
export const FIXED_LINE = '21123456';

export interface CommandRequest {
  method: string;
  path: string;
  json: Record<string, unknown>;
}

/**
 * `pin` is the PIN the command is checked with (`old_pin` for update-pin). A recharge moves 100 DJF (the least allowed),
 * so a customer's own commands can be repeated at will on an account with money.
 */
export function commandRequest(endpoint: CommandEndpoint, msisdn: string, pin: string, extra: Record<string, unknown> = {}): CommandRequest {
  switch (endpoint) {
    case 'update-pin':
      return { method: 'PUT', path: '/api/topup/update-pin', json: { msisdn, old_pin: pin, new_pin: pin === '9876' ? '9875' : '9876', ...extra } };
    case 'recharge-account':
      return { method: 'POST', path: '/api/topup/recharge-account', json: { msisdn, isdn: FIXED_LINE, amount: 100, pincode: pin, ...extra } };
    case 'subscribe-package':
      return { method: 'POST', path: '/api/topup/subscribe-package', json: { msisdn, isdn: FIXED_LINE, package_code: 'DATA_500MB', pincode: pin, ...extra } };
    case 'directory/add':
      return { method: 'POST', path: '/api/topup/directory/add', json: { msisdn, isdn: FIXED_LINE, pincode: pin, ...extra } };
    case 'directory/remove':
      return { method: 'DELETE', path: '/api/topup/directory/remove', json: { msisdn, isdn: FIXED_LINE, pincode: pin, ...extra } };
  }
}

export type NumberForm = 'local' | 'international';

/** `77xxxxxx` or `25377xxxxxx`. */
export const inForm = (localMsisdn: string, form: NumberForm) => (form === 'local' ? localMsisdn : `253${localMsisdn}`);

/** The n-th wrong guess: 0000, 0001, ... never `realPin`. */
export function wrongPin(n: number, realPin: string): string {
  const guess = String(n % 10_000).padStart(4, '0');
  return guess === realPin ? String((n + 1) % 10_000).padStart(4, '0') : guess;
}
