import { OPERATOR_CODE_DESCRIPTIONS, type OperatorCode } from '../../operator/operator-codes';
import type { OperatorResult } from '../../operator/soap-types';

export function result(returnCode: OperatorCode, description = OPERATOR_CODE_DESCRIPTIONS[returnCode]): OperatorResult {
  return { returnCode, description };
}

/** node-soap gives an empty element as '' or `{}`, and a numeric-looking string may come as a number. */
export function text(value: unknown): string {
  if (typeof value === 'string') {
    return value.trim();
  }
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : '';
}

/** Money to the centime, so that 5000 - 1000 is exactly 4000 and repeated moves never drift. */
export function money(amount: number): number {
  return Math.round(amount * 100) / 100;
}
