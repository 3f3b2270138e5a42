/**
 * Standalone TopUp SOAP simulator, for out-of-process use (manual tests, load tests, a gateway
 * pointed at it with TOPUP_SOAP_URL). Environment: SIMULATOR_PORT (8700), SIMULATOR_HOST
 * (127.0.0.1), TOPUP_SOAP_USERNAME / TOPUP_SOAP_PASSWORD (the credentials it accepts).
 */
import { SoapSimulator } from './soap-simulator';

const DEFAULT_CREDENTIAL = 'simulator';

async function main(): Promise<void> {
  const port = Number(process.env.SIMULATOR_PORT ?? 8700);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`SIMULATOR_PORT must be a port number, got "${process.env.SIMULATOR_PORT}"`);
  }
  const host = process.env.SIMULATOR_HOST || '127.0.0.1';
  const username = process.env.TOPUP_SOAP_USERNAME || DEFAULT_CREDENTIAL;
  const password = process.env.TOPUP_SOAP_PASSWORD || DEFAULT_CREDENTIAL;
  if (!process.env.TOPUP_SOAP_USERNAME || !process.env.TOPUP_SOAP_PASSWORD) {
    console.log(
      'TOPUP_SOAP_USERNAME and/or TOPUP_SOAP_PASSWORD not set: ' +
        `accepting "${DEFAULT_CREDENTIAL}" for the missing one(s)`,
    );
  }

  const simulator = new SoapSimulator({ username, password });
  const { url } = await simulator.start(port, host);
  const base = url.slice(0, url.indexOf('/', 'http://'.length));
  console.log(`TopUp SOAP simulator listening on ${url} (WSDL: ${url}?wsdl)`);
  console.log(`Control: POST ${base}/__simulator/faults, POST ${base}/__simulator/reset`);
  console.log(`         GET ${base}/__simulator/state, POST ${base}/__simulator/mobiles`);

  const shutdown = (): void => {
    void simulator.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error('TopUp SOAP simulator failed to start:', error);
  process.exit(1);
});
