import { Injectable } from '@nestjs/common';
import { OperatorCode } from '../../operator/operator-codes';
import { toLocalNumber } from '../../operator/phone-number.format';
import type { UnknownNumber } from '../errors/operator-errors';
import { TopUpGateway } from '../gateway/topup-gateway';

/**
 * The operator answers code 1 ("number does not exist") for an unknown mobile and an unknown fixed
 * line alike. When a request named both, two queries tell which: the line's status (1 only when
 * the line is unknown; any other answer proves it exists, so the mobile is the unknown one), then,
 * for an unknown line, the mobile's directory (1 when the mobile is unknown too). A query that
 * fails leaves what it would have told unresolved rather than failing the answer.
 */
@Injectable()
export class UnknownNumberResolver {
  constructor(private readonly gateway: TopUpGateway) {}

  async which(msisdn: string, isdn: string): Promise<UnknownNumber> {
    const line = await this.gateway.getStatusForRecharge(toLocalNumber(isdn)).catch(() => null);
    if (!line) return 'unresolved';
    if (line.returnCode !== OperatorCode.NUMBER_NOT_FOUND) return 'mobile';
    const mobile = await this.gateway.getMyNumbers(toLocalNumber(msisdn)).catch(() => null);
    return mobile?.returnCode === OperatorCode.NUMBER_NOT_FOUND ? 'both' : 'fixed';
  }
}
