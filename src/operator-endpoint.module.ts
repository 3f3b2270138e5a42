import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from './common/clock/clock';
import { AppConfig } from './config/app-config';
import { SOAP_ENDPOINT, SoapEndpoint } from './operator/soap-endpoint';
import type { EmbeddedSimulator } from './simulator/embedded/embedded-soap-simulator';

/** The simulator started in-process, or null (TOPUP_SOAP_URL set, or production). Specs reach it through this. */
export const EMBEDDED_SIMULATOR = Symbol('EMBEDDED_SIMULATOR');

class EmbeddedSimulatorShutdown implements OnApplicationShutdown {
  constructor(@Inject(EMBEDDED_SIMULATOR) private readonly embedded: EmbeddedSimulator | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.embedded?.simulator.stop();
  }
}

/**
 * Where the operator is: TOPUP_SOAP_URL (required in production), or else the built-in simulator,
 * whose code is loaded only then, so production never loads it and `topup/` never imports it.
 */
@Global()
@Module({
  providers: [
    {
      provide: EMBEDDED_SIMULATOR,
      inject: [AppConfig, Clock],
      useFactory: async (config: AppConfig, clock: Clock): Promise<EmbeddedSimulator | null> => {
        if (config.topupSoap.url || config.isProduction) return null;
        const { startEmbeddedSimulator } = await import('./simulator/embedded/embedded-soap-simulator');
        return startEmbeddedSimulator(config, () => clock.now());
      },
    },
    {
      provide: SOAP_ENDPOINT,
      inject: [AppConfig, EMBEDDED_SIMULATOR],
      useFactory: (config: AppConfig, embedded: EmbeddedSimulator | null): SoapEndpoint => {
        const { url, username, password } = config.topupSoap;
        if (url) return { url, username: username ?? '', password: password ?? '' };
        if (!embedded) throw new Error('TOPUP_SOAP_URL is required in production');
        return embedded.endpoint;
      },
    },
    EmbeddedSimulatorShutdown,
  ],
  exports: [SOAP_ENDPOINT, EMBEDDED_SIMULATOR],
})
export class OperatorEndpointModule {}
