import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../config/app-config';
import type { SoapEndpoint } from '../../operator/soap-endpoint';
import { SoapSimulator } from '../soap/soap-simulator';

export interface EmbeddedSimulator {
  simulator: SoapSimulator;
  endpoint: SoapEndpoint;
}

/**
 * The operator simulator started in-process on loopback, so a laptop or a test has a working TopUp
 * API with no operator at hand. Loaded only when it is wanted (see OperatorEndpointModule).
 */
export async function startEmbeddedSimulator(config: AppConfig, now: () => number): Promise<EmbeddedSimulator> {
  const logger = new Logger('TopUpGateway');
  const credentials = {
    username: config.topupSoap.username ?? 'simulator',
    password: config.topupSoap.password ?? randomBytes(16).toString('hex'),
  };
  const simulator = new SoapSimulator(credentials, { now, logError: (message) => logger.debug(message) });
  const started = await simulator.start(0, '127.0.0.1');
  logger.warn(`No TOPUP_SOAP_URL: started the built-in SOAP simulator at ${started.url} (fixtures in the README)`);
  return { simulator, endpoint: { url: started.url, ...credentials } };
}
