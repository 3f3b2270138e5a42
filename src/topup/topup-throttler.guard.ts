import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { toLocalNumber } from './formatting/phone-number.format';

/**
 * Counts TopUp requests per mobile number when the request names one (body or path), else per
 * client address, so one app user cannot exhaust a shared NAT's allowance nor hide behind it.
 */
@Injectable()
export class TopUpThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    const body = request.body as Record<string, unknown> | undefined;
    const params = request.params as Record<string, unknown> | undefined;
    const msisdn = body?.msisdn ?? params?.msisdn;
    if (typeof msisdn === 'string' && /^(77|25377)[0-9]{6}$/.test(msisdn)) return `msisdn:${toLocalNumber(msisdn)}`;
    return `ip:${String(request.ip)}`;
  }
}
