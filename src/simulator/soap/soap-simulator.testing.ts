/** Test helpers: a real node-soap client on the repository's WSDL, pointed at a simulator. */
import { type Client, createClientAsync } from 'soap';
import type { AuthHeader, TopUpOperation, TopUpOperations } from '../../operator/soap-types';
import { AUTH_HEADER_ELEMENT, TOPUP_NAMESPACE, TOPUP_WSDL_PATH } from '../../operator/topup-wsdl';

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
