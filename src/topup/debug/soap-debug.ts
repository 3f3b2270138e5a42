import { AsyncLocalStorage } from 'node:async_hooks';
import { Observable } from 'rxjs';

export interface SoapCallTrace {
  operation: string;
  attempt: number;
  outcome: string;
  return_code: string | null;
  duration_ms: number;
}

/** Per-request trace of SOAP calls, kept only for requests that asked for `X-Debug: true`. */
const traces = new AsyncLocalStorage<SoapCallTrace[]>();

export const SoapDebug = {
  /** Subscribes to `source` inside a trace, so the SOAP calls it makes are recorded into `calls`. */
  traced<T>(source: () => Observable<T>, calls: SoapCallTrace[]): Observable<T> {
    return new Observable<T>((subscriber) => traces.run(calls, () => source().subscribe(subscriber)));
  },
  record(call: SoapCallTrace): void {
    traces.getStore()?.push(call);
  },
};
