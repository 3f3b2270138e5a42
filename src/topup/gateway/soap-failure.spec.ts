import { classifySoapError } from './soap-failure';

const PASSWORD = 'gateway-soap-password-0123456789';
/** What axios keeps of the request: the envelope, with the AuthHeader and its password. */
const REQUEST_CONFIG = {
  config: { data: `<soap:Header><tns:AuthHeader><username>gw</username><password>${PASSWORD}</password></tns:AuthHeader></soap:Header>` },
};

describe(classifySoapError.name, () => {
  it('ECONNREFUSED: the backend is unreachable, worth another try', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8700'), { code: 'ECONNREFUSED', ...REQUEST_CONFIG });
    expect(classifySoapError(error)).toEqual({
      kind: 'network',
      retryable: true,
      mayHaveRun: false,
      fault: { fault_code: 'Server', fault_string: 'Connection error (ECONNREFUSED)', fault_detail: 'Le service backend est injoignable' },
    });
  });

  it.each(['ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])('%s is a network failure too', (code) => {
    expect(classifySoapError(Object.assign(new Error(code), { code }))).toMatchObject({ kind: 'network', retryable: true });
  });

  it("ECONNABORTED (axios timeout): the spec's Connection timeout fault", () => {
    const error = Object.assign(new Error('timeout of 45000ms exceeded'), { code: 'ECONNABORTED', ...REQUEST_CONFIG });
    expect(classifySoapError(error)).toEqual({
      kind: 'timeout',
      retryable: true,
      mayHaveRun: true,
      fault: { fault_code: 'Server', fault_string: 'Connection timeout', fault_detail: 'Le service backend ne répond pas' },
    });
  });

  describe('whether a command may have run at the operator', () => {
    it.each([
      ['a refused connection', { code: 'ECONNREFUSED' }, false],
      ['an unknown host', { code: 'ENOTFOUND' }, false],
      ['an unreachable host', { code: 'EHOSTUNREACH' }, false],
      ['a connection reset once open', { code: 'ECONNRESET' }, true],
      ['a broken pipe', { code: 'EPIPE' }, true],
      ['a timeout', { code: 'ECONNABORTED' }, true],
      ["a proxy's 502 with no SOAP body", { response: { status: 502 } }, true],
      ['a body cut off (not parseable)', new Error('Unexpected close tag'), true],
      ['a Server fault', { response: { status: 500 }, root: { Envelope: { Body: { Fault: { faultcode: 'soap:Server', faultstring: 'x' } } } } }, true],
      ['a Client fault', { response: { status: 500 }, root: { Envelope: { Body: { Fault: { faultcode: 'soap:Client', faultstring: 'x' } } } } }, false],
      ['a refused login', { response: { status: 401 } }, false],
      ['a 404 (no such endpoint)', { response: { status: 404 } }, false],
      ['a 200 whose XML could not be read', { response: { status: 200 } }, true],
    ])('%s: %s', (_name, error, mayHaveRun) => {
      expect(classifySoapError(error).mayHaveRun).toBe(mayHaveRun);
    });
  });

  it('a 401 answer: the backend refused our login, not worth another try', () => {
    const error = {
      response: { status: 401 },
      root: { Envelope: { Body: { Fault: { faultcode: 'soap:Client', faultstring: 'Authentication failed: bad or missing AuthHeader' } } } },
      ...REQUEST_CONFIG,
    };
    expect(classifySoapError(error)).toMatchObject({ kind: 'auth', retryable: false, fault: { fault_code: 'Client' } });
  });

  describe('SOAP 1.1 faults', () => {
    it('soap:Server with HTTP 500: the prefix dropped, worth another try', () => {
      const error = { response: { status: 500 }, root: { Envelope: { Body: { Fault: { faultcode: 'soap:Server', faultstring: 'Simulated server fault' } } } } };
      expect(classifySoapError(error)).toEqual({
        kind: 'fault',
        retryable: true,
        mayHaveRun: true,
        fault: { fault_code: 'Server', fault_string: 'Simulated server fault', fault_detail: 'Le service backend a renvoyé une erreur SOAP' },
      });
    });

    it('soap:Client: the request is wrong, not worth another try', () => {
      const error = { response: { status: 500 }, root: { Envelope: { Body: { Fault: { faultcode: 'soap:Client', faultstring: 'Simulated client fault' } } } } };
      expect(classifySoapError(error)).toMatchObject({ kind: 'fault', retryable: false, fault: { fault_code: 'Client', fault_string: 'Simulated client fault' } });
    });

    it('keeps at most 200 characters of the fault string', () => {
      const error = { response: { status: 500 }, root: { Envelope: { Body: { Fault: { faultcode: 'Server', faultstring: 'x'.repeat(1000) } } } } };
      expect(classifySoapError(error).fault.fault_string).toHaveLength(200);
    });
  });

  describe('SOAP 1.2-shaped faults (Code.Value, Reason.Text)', () => {
    it('Receiver reads as Server, worth another try', () => {
      const error = { response: { status: 500 }, root: { Envelope: { Body: { Fault: { Code: { Value: 'soap:Receiver' }, Reason: { Text: 'Database down' } } } } } };
      expect(classifySoapError(error)).toMatchObject({ kind: 'fault', retryable: true, fault: { fault_code: 'Server', fault_string: 'Database down' } });
    });

    it('Sender reads as Client, not worth another try', () => {
      const error = { response: { status: 400 }, root: { Envelope: { Body: { Fault: { Code: { Value: 'env:Sender' }, Reason: { Text: 'Bad request' } } } } } };
      expect(classifySoapError(error)).toMatchObject({ kind: 'fault', retryable: false, fault: { fault_code: 'Client', fault_string: 'Bad request' } });
    });
  });

  it('a plain HTTP 502 without a fault: worth another try', () => {
    const error = Object.assign(new Error('Request failed with status code 502'), { response: { status: 502 }, ...REQUEST_CONFIG });
    expect(classifySoapError(error)).toEqual({
      kind: 'http',
      retryable: true,
      mayHaveRun: true,
      fault: { fault_code: 'Server', fault_string: 'HTTP 502', fault_detail: 'Réponse inattendue du service backend' },
    });
  });

  it('a plain HTTP 400 without a fault: not worth another try', () => {
    expect(classifySoapError({ response: { status: 400 } })).toMatchObject({ kind: 'http', retryable: false });
  });

  it.each([
    ['an Error with no code', new Error(`something broke near ${PASSWORD}`)],
    ['undefined', undefined],
    ['null', null],
    ['a string', 'boom'],
  ])('%s: an unexpected failure, worth another try', (_case, error) => {
    expect(classifySoapError(error)).toEqual({
      kind: 'network',
      retryable: true,
      mayHaveRun: true,
      fault: { fault_code: 'Server', fault_string: 'Unexpected error', fault_detail: 'Le service backend ne répond pas correctement' },
    });
  });

  it.each([
    ['ECONNREFUSED', Object.assign(new Error(PASSWORD), { code: 'ECONNREFUSED', ...REQUEST_CONFIG })],
    ['ECONNABORTED', Object.assign(new Error(PASSWORD), { code: 'ECONNABORTED', ...REQUEST_CONFIG })],
    ['HTTP 502', Object.assign(new Error(PASSWORD), { response: { status: 502 }, ...REQUEST_CONFIG })],
    ['HTTP 401', Object.assign(new Error(PASSWORD), { response: { status: 401 }, ...REQUEST_CONFIG })],
  ])('never copies the request (and its password) into the result: %s', (_case, error) => {
    expect(JSON.stringify(classifySoapError(error))).not.toContain(PASSWORD);
  });
});
