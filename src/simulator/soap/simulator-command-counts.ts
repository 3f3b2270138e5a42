import { toLocalNumber } from '../../operator/phone-number.format';
import { OperatorCode } from '../../operator/operator-codes';

/** What the operator saw of one mobile number's commands. */
export interface MobileCommandCounts {
  /** executeCommand calls naming the number, refused ones (fault, bad credentials) included. */
  received: number;
  /** Of those, how many the operator answered "wrong PIN". */
  wrongPin: number;
  /** Of those, how many took effect (return code 0). */
  executed: number;
}

/**
 * executeCommand calls per mobile number (local form, whichever form the request used): what an
 * attack suite reads to know how many guessed PINs reached the operator, whatever the gateway said.
 */
export class CommandCounts {
  private readonly byMobile = new Map<string, MobileCommandCounts>();

  received(msisdn: string): void {
    this.entry(msisdn).received += 1;
  }

  answered(msisdn: string, returnCode: string): void {
    if (returnCode === OperatorCode.WRONG_PIN) this.entry(msisdn).wrongPin += 1;
    else if (returnCode === OperatorCode.SUCCESS) this.entry(msisdn).executed += 1;
  }

  of(msisdn: string): MobileCommandCounts {
    return { ...(this.byMobile.get(toLocalNumber(msisdn)) ?? { received: 0, wrongPin: 0, executed: 0 }) };
  }

  all(): Record<string, MobileCommandCounts> {
    return Object.fromEntries([...this.byMobile].map(([msisdn, counts]) => [msisdn, { ...counts }]));
  }

  clear(): void {
    this.byMobile.clear();
  }

  private entry(msisdn: string): MobileCommandCounts {
    const key = toLocalNumber(msisdn);
    let counts = this.byMobile.get(key);
    if (!counts) {
      counts = { received: 0, wrongPin: 0, executed: 0 };
      this.byMobile.set(key, counts);
    }
    return counts;
  }
}
