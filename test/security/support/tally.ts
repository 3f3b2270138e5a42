interface Counts {
  attempts: number;
  gotThrough: number;
  legitOk: number;
  legitTotal: number;
}

const MAX_NOTES = 40;

/**
 * What one attack (all its variants, on one engine) achieved: attempts made, how many got through
 * (the attack's own definition), and how much of the legitimate traffic sent meanwhile succeeded.
 * Prints the suite's line, `[security] <attack>-<engine>: attempts=N got_through=M legit_ok=X/Y`,
 * one line per variant under it, and fails unless nothing got through and all legit traffic passed.
 */
export class AttackTally {
  private readonly total: Counts = { attempts: 0, gotThrough: 0, legitOk: 0, legitTotal: 0 };
  private readonly variants = new Map<string, Counts>();
  /** Why something counted as got_through or failed legit traffic (the first few). */
  readonly notes: string[] = [];

  constructor(
    readonly attack: string,
    readonly engine: string,
  ) {}

  variant(name: string): VariantTally {
    if (!this.variants.has(name)) this.variants.set(name, { attempts: 0, gotThrough: 0, legitOk: 0, legitTotal: 0 });
    return new VariantTally(this, name);
  }

  /** @internal */
  add(variant: string, field: keyof Counts, n: number, note?: string): void {
    this.total[field] += n;
    this.variants.get(variant)![field] += n;
    if (note && this.notes.length < MAX_NOTES) this.notes.push(`${variant}: ${note}`);
  }

  line(): string {
    const { attempts, gotThrough, legitOk, legitTotal } = this.total;
    return `[security] ${this.attack}-${this.engine}: attempts=${attempts} got_through=${gotThrough} legit_ok=${legitOk}/${legitTotal}`;
  }

  print(): void {
    const lines = [this.line()];
    for (const [name, v] of this.variants) {
      lines.push(`[security]   ${name}: attempts=${v.attempts} got_through=${v.gotThrough} legit_ok=${v.legitOk}/${v.legitTotal}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }

  /** Prints, then fails unless got_through is 0 and every legit request succeeded (with the reasons). */
  printAndExpectClean(): void {
    this.print();
    expect(this.total.attempts).toBeGreaterThan(0);
    expect({
      line: this.line(),
      got_through: this.total.gotThrough,
      legit_failed: this.total.legitTotal - this.total.legitOk,
      why: this.notes,
    }).toEqual({ line: this.line(), got_through: 0, legit_failed: 0, why: [] });
  }
}

export class VariantTally {
  constructor(
    private readonly tally: AttackTally,
    readonly name: string,
  ) {}

  attempt(n = 1): void {
    this.tally.add(this.name, 'attempts', n);
  }

  /** `n` attacks got through, because of `why`. */
  through(n: number, why: string): void {
    if (n > 0) this.tally.add(this.name, 'gotThrough', n, `got through x${n}: ${why}`);
  }

  /**
   * One legitimate request: `ok` says whether it got what it should have. With `refusalGetsThrough`
   * (the attack is to deny it service), a refusal also counts as one got_through.
   */
  legit(ok: boolean, what: string, refusalGetsThrough = false): void {
    this.tally.add(this.name, 'legitTotal', 1);
    if (ok) this.tally.add(this.name, 'legitOk', 1);
    else if (refusalGetsThrough) this.tally.add(this.name, 'gotThrough', 1, `got through (legit refused): ${what}`);
    else this.tally.add(this.name, 'legitOk', 0, `legit refused: ${what}`);
  }
}
