/** Test helpers: a real node-soap client on the repository's WSDL, pointed at a simulator. */
import { type Client, createClientAsync } from 'soap';
import type { AuthHeader, TopUpOperation, TopUpOperations } from '../../topup/soap/soap-types';
import { AUTH_HEADER_ELEMENT, TOPUP_NAMESPACE, TOPUP_WSDL_PATH } from '../../topup/soap/topup-wsdl';

export async function createTopUpClient(url: string, credentials?: AuthHeader): Promise<Client> {
  const client = await createClientAsync(TOPUP_WSDL_PATH);
  client.setEndpoint(url);
  if (credentials) {
    client.addSoapHeader({ [AUTH_HEADER_ELEMENT]: credentials }, '', 'tns', TOPUP_NAMESPACE);
  }
  return client;
}

/** Calls an operation and gives its typed result (node-soap's `xxxAsync` resolves `[result, rawXml, ...]`). */
export async function callOperation<K extends TopUpOperation>(
  client: Client,
  operation: K,
  request: TopUpOperations[K]['request'],
): Promise<TopUpOperations[K]['response']> {
  const [result] = (await client[`${operation}Async`](request)) as [TopUpOperations[K]['response']];
  return result;
}

/** What a failed call carries: node-soap rejects with the axios error, plus `root` when a fault parsed. */
export interface SoapCallError extends Error {
  code?: string;
  response?: { status: number; data: string };
  root?: { Envelope: { Body: { Fault: { faultcode: string; faultstring: string } } } };
}

/** The rejection of `promise`, or an Error if it resolved: lets a spec inspect status and fault. */
export async function failureOf(promise: Promise<unknown>): Promise<SoapCallError> {
  try {
    await promise;
  } catch (error) {
    return error as SoapCallError;
  }
  throw new Error('expected the SOAP call to fail, but it succeeded');
}
