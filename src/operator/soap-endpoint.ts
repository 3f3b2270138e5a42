/** Where and as whom the gateway calls the operator's SOAP system. */
export interface SoapEndpoint {
  url: string;
  username: string;
  password: string;
}

export const SOAP_ENDPOINT = Symbol('SOAP_ENDPOINT');
