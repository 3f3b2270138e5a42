import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen as soapListen, type IServicePort } from 'soap';
import type { AuthHeader, BalanceType, TopUpOperation } from '../../operator/soap-types';
import {
  AUTH_HEADER_ELEMENT,
  TOPUP_PORT_NAME,
  TOPUP_SERVICE_NAME,
  TOPUP_SOAP_PATH,
  TOPUP_WSDL_PATH,
} from '../../operator/topup-wsdl';
import { FakeOperator } from './fake-operator';
import type { LineBalance } from './operator.fixtures';
import { text } from './operator-result';
import { CommandCounts, type MobileCommandCounts } from './simulator-command-counts';
import { handleControlRequest } from './simulator-control';
import { type FaultsUpdate, NO_FAULTS, SimulatorFault, type SimulatorFaults, soapFault } from './simulator-faults';

export interface SimulatorCredentials {
  username: string;
  password: string;
}

export interface SoapSimulatorOptions {
  /** The simulator's clock (epoch ms): fixture expiries and directory dates derive from it. */
  now?: () => number;
  /** Where failures of background steps go (re-opening the socket after `refuseForMs`). Default: console. */
  logError?: (message: string, error: unknown) => void;
}

export interface MobileSnapshot {
  msisdn: string;
  balance: number;
  directory: string[];
}

/**
 * Fake of the operator's TopUp SOAP system: serves topup.wsdl on loopback with a stateful
 * operator behind it, checks the AuthHeader, counts calls and executions, and injects latency,
 * SOAP faults and downtime on demand. Its state lives as long as the instance.
 */
export class SoapSimulator {
  private readonly operator: FakeOperator;
  private readonly calls = new Map<TopUpOperation, number>();
  private readonly commands = new CommandCounts();
  private faults: SimulatorFaults = { ...NO_FAULTS };
  private server?: Server;
  private address?: { port: number; host: string };
  private listening = false;
  private reopenTimer?: NodeJS.Timeout;
  private readonly delays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  /** Socket open/close steps run one at a time, in call order. */
  private transitions: Promise<void> = Promise.resolve();
  private readonly logError: (message: string, error: unknown) => void;

  constructor(
    private readonly credentials: SimulatorCredentials,
    options: SoapSimulatorOptions = {},
  ) {
    this.operator = new FakeOperator(options.now ?? Date.now);
    this.logError = options.logError ?? ((message, error) => console.error(message, error));
  }

  /** The SOAP endpoint, e.g. `http://127.0.0.1:8700/soap/queueSoapService`. */
  get url(): string {
    if (!this.address) {
      throw new Error('SoapSimulator is not started');
    }
    const { host, port } = this.address;
    const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
    return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}${TOPUP_SOAP_PATH}`;
  }

  /** Port 0 picks a free port; the same port is kept when connections are refused then allowed. */
  async start(port = 0, host = '127.0.0.1'): Promise<{ url: string }> {
    if (this.server) {
      throw new Error('SoapSimulator is already started');
    }
    const wsdl = await readFile(TOPUP_WSDL_PATH, 'utf8');
    const server = createServer((req, res) => void handleControlRequest(this, req, res));
    await new Promise<void>((resolve, reject) => {
      soapListen(server, {
        path: TOPUP_SOAP_PATH,
        services: { [TOPUP_SERVICE_NAME]: { [TOPUP_PORT_NAME]: this.servicePort() } },
        xml: wsdl,
        suppressStack: true,
        callback: (error: unknown) => (error ? reject(error) : resolve()),
      });
    });
    this.server = server;
    this.address = { port, host };
    try {
      await this.openListener();
    } catch (error) {
      this.server = undefined;
      this.address = undefined;
      throw error;
    }
    this.address.port = (server.address() as AddressInfo).port;
    return { url: this.url };
  }

  async stop(): Promise<void> {
    clearTimeout(this.reopenTimer);
    for (const delay of this.delays) {
      clearTimeout(delay.timer);
      delay.resolve();
    }
    this.delays.clear();
    await this.serially(() => this.closeListener());
    this.server = undefined;
    this.address = undefined;
    // A later start() listens at once; the faults must not claim otherwise.
    this.faults.refuseConnections = false;
  }

  /** Merges into the current faults; fields left out keep their value. */
  async setFaults(update: FaultsUpdate): Promise<void> {
    const { refuseForMs, ...faults } = update;
    this.faults = { ...this.faults, ...withoutUndefined(faults) };
    clearTimeout(this.reopenTimer);
    const refuse = this.faults.refuseConnections;
    await this.serially(() => (refuse ? this.closeListener() : this.openListener()));
    if (refuse && refuseForMs !== undefined && this.server) {
      this.reopenTimer = setTimeout(() => this.setFaultsInBackground({ refuseConnections: false }), refuseForMs);
    }
  }

  /** For callers that cannot wait (timers, the control endpoint once it has answered). */
  setFaultsInBackground(update: FaultsUpdate): void {
    this.setFaults(update).catch((error: unknown) => this.logError('SoapSimulator: could not apply faults', error));
  }

  currentFaults(): Readonly<SimulatorFaults> {
    return { ...this.faults };
  }

  async resetFaults(): Promise<void> {
    await this.setFaults({ ...NO_FAULTS });
  }

  /** Faults, state and counters back to the fixtures. */
  async reset(): Promise<void> {
    this.operator.reset();
    this.calls.clear();
    this.commands.clear();
    await this.resetFaults();
  }

  /** How many times executeCommand ran with this transaction id (never deduplicated). */
  executionsOf(transactionId: string): number {
    return this.operator.executionsOf(transactionId);
  }

  /** SOAP requests received for an operation, faulted and unauthenticated ones included. */
  callCount(operation: TopUpOperation): number {
    return this.calls.get(operation) ?? 0;
  }

  callCounts(): Partial<Record<TopUpOperation, number>> {
    return Object.fromEntries(this.calls);
  }

  /** executeCommand calls received per mobile number (local form), wrong PINs and executions among them. */
  commandCounts(): Record<string, MobileCommandCounts> {
    return this.commands.all();
  }

  commandCountsOf(msisdn: string): MobileCommandCounts {
    return this.commands.of(msisdn);
  }

  /** A mobile account beside the fixtures (until the next reset), e.g. one per attack scenario. */
  addMobile(account: { msisdn: string; pin: string; balance: number }): void {
    this.operator.addMobile(account);
  }

  mobileAccount(msisdn: string): MobileSnapshot | undefined {
    const account = this.operator.mobile(msisdn);
    return (
      account && {
        msisdn: account.msisdn,
        balance: account.balance,
        directory: account.directory.map((entry) => entry.isdn),
      }
    );
  }

  fixedLineBalances(isdn: string): Partial<Record<BalanceType, LineBalance>> | undefined {
    const line = this.operator.fixedLine(isdn);
    return line && Object.fromEntries([...line.balances].map(([type, balance]) => [type, { ...balance }]));
  }

  private servicePort(): IServicePort {
    const operator = this.operator;
    return {
      getBalances: (args, _cb, headers) => this.handle('getBalances', headers, () => operator.getBalances(args)),
      getMyNumbers: (args, _cb, headers) => this.handle('getMyNumbers', headers, () => operator.getMyNumbers(args)),
      getStatusForRecharge: (args, _cb, headers) =>
        this.handle('getStatusForRecharge', headers, () => operator.getStatusForRecharge(args)),
      getPackages: (args, _cb, headers) => this.handle('getPackages', headers, () => operator.getPackages(args)),
      executeCommand: (args, _cb, headers) => {
        const msisdn = text(args.msisdn);
        this.commands.received(msisdn);
        return this.handle('executeCommand', headers, () => {
          const response = operator.executeCommand(args);
          this.commands.answered(msisdn, response.returnCode);
          return response;
        });
      },
    };
  }

  /**
   * The operation takes effect when the request arrives; latency only delays the answer. So a
   * client that stops waiting leaves a command executed: the case the gateway must never retry.
   */
  private async handle<T>(operation: TopUpOperation, headers: unknown, run: () => T): Promise<T> {
    this.calls.set(operation, this.callCount(operation) + 1);
    const { fault, latencyMs } = this.faults;
    const outcome = fault ? soapFault(fault) : this.isAuthorized(headers) ? { result: run() } : soapFault('auth');
    await this.delay(latencyMs);
    if ('faultcode' in outcome) {
      throw new SimulatorFault(outcome);
    }
    return outcome.result;
  }

  private isAuthorized(headers: unknown): boolean {
    const header = (headers as Record<string, Partial<AuthHeader> | undefined> | undefined)?.[AUTH_HEADER_ELEMENT];
    return (
      text(header?.username) === this.credentials.username && text(header?.password) === this.credentials.password
    );
  }

  private delay(ms: number): Promise<void> {
    if (ms <= 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const entry = {
        resolve,
        timer: setTimeout(() => {
          this.delays.delete(entry);
          resolve();
        }, ms),
      };
      this.delays.add(entry);
    });
  }

  private serially(step: () => Promise<void>): Promise<void> {
    const next = this.transitions.then(step);
    this.transitions = next.catch(() => undefined);
    return next;
  }

  private async openListener(): Promise<void> {
    const { server, address } = this;
    if (!server || !address || this.listening) {
      return;
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(address.port, address.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.listening = true;
  }

  /** Stops accepting and drops open connections too, so keep-alive clients are refused as well. */
  private async closeListener(): Promise<void> {
    const server = this.server;
    if (!server || !this.listening) {
      return;
    }
    this.listening = false;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
