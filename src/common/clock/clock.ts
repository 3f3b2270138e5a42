/** Time as a port, so specs can move it without sleeping. Milliseconds since the epoch. */
export abstract class Clock {
  abstract now(): number;
}

export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}
