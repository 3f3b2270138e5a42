import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '../../common/clock/clock';
import { AppConfig } from '../../config/app-config';
import { SoapSimulator } from '../../simulator/soap/soap-simulator';
import type { SoapEndpoint } from './soap-endpoint';

/**
 * With no TOPUP_SOAP_URL outside production, the app runs the operator simulator in-process on
 * loopback, so a laptop or a test has a working TopUp API with no operator at hand.
 */
@Injectable()
export class EmbeddedSoapSimulator implements OnApplicationShutdown {
  private readonly logger = new Logger('TopUpGateway');
  simulator: SoapSimulator | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async endpoint(): Promise<SoapEndpoint> {
    const { url, username, password } = this.config.topupSoap;
    if (url) return { url, username: username ?? '', password: password ?? '' };
    if (this.config.isProduction) throw new Error('TOPUP_SOAP_URL is required in production');
    const credentials = {
      username: username ?? 'simulator',
      password: password ?? randomBytes(16).toString('hex'),
    };
    this.simulator = new SoapSimulator(credentials, {
      now: () => this.clock.now(),
      logError: (message) => this.logger.debug(message),
    });
    const started = await this.simulator.start(0, '127.0.0.1');
    this.logger.warn(`No TOPUP_SOAP_URL: started the built-in SOAP simulator at ${started.url} (fixtures in the README)`);
    return { url: started.url, ...credentials };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.simulator?.stop();
  }
}
