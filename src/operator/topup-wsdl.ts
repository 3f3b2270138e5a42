import { join } from 'node:path';

/** The WSDL kept in the repository; nest-cli copies `*.wsdl` beside the compiled files. */
export const TOPUP_WSDL_PATH = join(__dirname, 'topup.wsdl');

export const TOPUP_NAMESPACE = 'http://web.Top_Up_Djib.djibouti.com/';
export const TOPUP_SERVICE_NAME = 'QueueSoapService';
export const TOPUP_PORT_NAME = 'QueueSoapPort';
/** Path of the port address in the WSDL; the real system serves it on port 8700. */
export const TOPUP_SOAP_PATH = '/soap/queueSoapService';
/** Name of the SOAP header element carrying `{ username, password }`. */
export const AUTH_HEADER_ELEMENT = 'AuthHeader';
