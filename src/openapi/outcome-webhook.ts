import { CALLBACK_HEADERS } from '../callbacks/callback-signature';

const header = (name: string, description: string, schema: Record<string, unknown>) => ({ name, in: 'header', required: true, description, schema });

/**
 * The outcome callback as an OpenAPI 3.1 webhook: what MAIN_CALLBACK_URL receives, its headers, how
 * to verify it and how it is retried (README, "Outcome callbacks").
 */
export const OUTCOME_WEBHOOK = {
  post: {
    operationId: 'outcomeCallback',
    tags: ['Callbacks'],
    summary: 'Outcome of a transaction, POSTed to MAIN_CALLBACK_URL',
    description:
      'Sent for every transaction reaching completed, failed, needs_review or expired (event `transaction.<status>`).\n\n' +
      '**Verify** before parsing: HMAC-SHA256 with CALLBACK_SECRET over `<X-MeRecharge-Timestamp>.<X-MeRecharge-Delivery>.<exact body bytes>`, ' +
      'hex, compared in constant time with X-MeRecharge-Signature (after `sha256=`); refuse a timestamp more than 300 s from your clock.\n\n' +
      '**Delivery**: at least once; deduplicate on X-MeRecharge-Delivery. In order per transaction (`sequence` 1, 2, ...): a message ' +
      'goes out only once every earlier one of its transaction was acknowledged. Any 2xx within 10 s acknowledges; anything else ' +
      '(3xx, never followed; 4xx, 5xx, timeout, refused connection) is retried after about 2 s, 4 s, 8 s... doubling up to 10 min ' +
      '(each shortened by up to 20 % at random), with no limit on attempts.',
    security: [],
    parameters: [
      header(CALLBACK_HEADERS.timestamp, 'Unix seconds when this attempt was sent (signed)', { type: 'string', pattern: '^[0-9]{1,12}$', example: '1728315000' }),
      header(CALLBACK_HEADERS.delivery, 'The message id; a retry repeats it (signed)', { type: 'string', example: '42' }),
      header(CALLBACK_HEADERS.event, '`transaction.<status>`, as the body’s event', {
        type: 'string',
        enum: ['transaction.completed', 'transaction.failed', 'transaction.needs_review', 'transaction.expired'],
      }),
      header(CALLBACK_HEADERS.signature, '`sha256=<hex HMAC-SHA256(CALLBACK_SECRET, "<timestamp>.<delivery>.<body>")>`', {
        type: 'string',
        pattern: '^sha256=[0-9a-f]{64}$',
      }),
    ],
    requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/OutcomeCallbackDto' } } } },
    responses: {
      '204': { description: 'Acknowledged (any 2xx): not sent again' },
      '401': { description: 'Signature refused: the message is sent again later, as for any answer but a 2xx' },
    },
  },
};
