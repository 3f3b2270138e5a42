import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { OperatorCode } from '../../operator/operator-codes';
import { toLocalNumber } from '../../operator/phone-number.format';
import type { UnknownNumber } from '../errors/operator-errors';
import { SOAP_TIMEOUTS_MS } from '../gateway/soap-timeouts';
import { TopUpGateway } from '../gateway/topup-gateway';

/** How long a pair's answer is reused: a burst of requests naming an unknown number asks the operator once. */
export const RESOLVED_TTL_MS = 60_000;
const MAX_REMEMBERED = 1_000;

/**
 * The operator answers code 1 ("number does not exist") for an unknown mobile and an unknown fixed
 * line alike. When a request named both, two queries tell which: the line's status (1 only when
 * the line is unknown; any other answer proves it exists, so the mobile is the unknown one), then,
 * for an unknown line, the mobile's directory (1 when the mobile is unknown too). A query that
 * fails leaves what it would have told unresolved rather than failing the answer.
 * Each code 1 would otherwise cost the operator two more calls: answers are reused per pair for a
 * minute (and one lookup serves concurrent requests), and a query is not started when it could
 * not finish before the caller's `deadline` (the request ceiling).
 */
@Injectable()
export class UnknownNumberResolver {
  private readonly remembered = new Map<string, { value: UnknownNumber; until: number }>();
  private readonly inFlight = new Map<string, Promise<UnknownNumber>>();

  constructor(
    private readonly gateway: TopUpGateway,
    private readonly clock: Clock,
  ) {}

  async which(msisdn: string, isdn: string, deadline = Number.POSITIVE_INFINITY): Promise<UnknownNumber> {
    const key = `${toLocalNumber(msisdn)}|${toLocalNumber(isdn)}`;
    const known = this.remembered.get(key);
    if (known && known.until > this.clock.now()) return known.value;
    const running = this.inFlight.get(key);
    if (running) return running;
    const lookup = this.lookUp(msisdn, isdn, deadline).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, lookup);
    const value = await lookup;
    if (value !== 'unresolved') this.remember(key, value);
    return value;
  }

  private async lookUp(msisdn: string, isdn: string, deadline: number): Promise<UnknownNumber> {
    if (!this.timeLeftFor('getStatusForRecharge', deadline)) return 'unresolved';
    const line = await this.gateway.getStatusForRecharge(toLocalNumber(isdn)).catch(() => null);
    if (!line) return 'unresolved';
    if (line.returnCode !== OperatorCode.NUMBER_NOT_FOUND) return 'mobile';
    // The line is certainly unknown; whether the mobile is too is worth a query only with time for it.
    if (!this.timeLeftFor('getMyNumbers', deadline)) return 'fixed';
    const mobile = await this.gateway.getMyNumbers(toLocalNumber(msisdn)).catch(() => null);
    return mobile?.returnCode === OperatorCode.NUMBER_NOT_FOUND ? 'both' : 'fixed';
  }

  private timeLeftFor(operation: keyof typeof SOAP_TIMEOUTS_MS, deadline: number): boolean {
    return deadline - this.clock.now() >= SOAP_TIMEOUTS_MS[operation];
  }

  private remember(key: string, value: UnknownNumber): void {
    this.remembered.delete(key);
    // Oldest first in a Map: past the bound, the oldest answer goes.
    if (this.remembered.size >= MAX_REMEMBERED) this.remembered.delete(this.remembered.keys().next().value!);
    this.remembered.set(key, { value, until: this.clock.now() + RESOLVED_TTL_MS });
  }
}
