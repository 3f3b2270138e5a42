import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { OperationObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { OutcomeCallbackDto } from '../callbacks/outcome-callback.dto';
import { API_KEY_SCHEME, BEARER_SCHEME } from '../common/auth/auth.guard';
import { OUTCOME_WEBHOOK } from './outcome-webhook';

/** Where Swagger UI and the JSON document are served (kept: integrators have these URLs). */
export const DOCS_PATH = 'api/docs';
export const DOCS_JSON_PATH = 'api/docs-json';

/** The global prefix and its exclusions, shared by the app and the document written without a server. */
export const GLOBAL_PREFIX = 'api';
export const PREFIX_EXCLUDED = ['health/live', 'health/ready', 'metrics'];

/**
 * The OpenAPI document of the whole gateway, from the controllers' and DTOs' decorators. Served at
 * /api/docs-json by the app and written to a file by `npm run openapi` (no server, no database).
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('MeRecharge gateway')
    .setDescription(
      'CallBox device API, sync dispatcher and main-system hook (spec 000), TopUp facade over SOAP (spec 004). ' +
        'CallBox routes take `Authorization: Bearer <CALLBOX_TOKEN>`; admin and main-system routes take `x-api-key`.',
    )
    .setVersion('1.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'CALLBOX_TOKEN, or a box-bound token of CALLBOX_TOKENS' }, BEARER_SCHEME)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key', description: 'API_KEY (admins, main system)' }, API_KEY_SCHEME)
    .addServer('/', 'The gateway serving this document')
    .setOpenAPIVersion('3.1.0');
  for (const [name, description] of Object.entries(TAGS)) config.addTag(name, description);
  return finish(SwaggerModule.createDocument(app, config.build(), { extraModels: [OutcomeCallbackDto] }));
}

/** Every tag the controllers use, declared once with what it groups. */
const TAGS: Record<string, string> = {
  CallBox: 'Field GSM boxes (spec 000): register, heartbeat, poll for work, report outcomes (Bearer token)',
  'Système principal': 'The main system pushes transactions to the boxes (x-api-key)',
  Synchronisation: 'The dispatcher handing pending work to live boxes: status, start, stop, one tick now (x-api-key)',
  TopUp: 'REST facade over the operator SOAP system for the mobile apps (spec 004): no credential, commands protected by the PIN',
  Administration: 'Admin operations: settle transactions in review, PIN locks (x-api-key)',
  Console: "What the admin console (/admin) reads: transaction search and CSV export, the review queue, the overview, the fleet (x-api-key)",
  Health: 'Liveness and readiness probes',
  Callbacks: 'What the gateway sends to MAIN_CALLBACK_URL (webhooks): signed, at least once, in order per transaction',
};

/**
 * What the decorators cannot say. Routes without @Authenticated are public (the global AuthGuard lets
 * them through): they get `security: []`. The Bearer token is opaque, not a JWT.
 */
function finish(document: OpenAPIObject): OpenAPIObject {
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations) as OperationObject[]) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      operation.security ??= [];
      // The plugin types a success from the method's return type but leaves its description empty.
      for (const response of Object.values(operation.responses) as ResponseObject[]) {
        if (!response.description) response.description = operation.summary ?? 'Succès';
      }
    }
  }
  const webhooks = { 'transaction.outcome': OUTCOME_WEBHOOK };
  const bearer = document.components?.securitySchemes?.[BEARER_SCHEME];
  if (bearer && 'bearerFormat' in bearer) delete bearer.bearerFormat;
  return { ...toOpenApi31(document), webhooks } as OpenAPIObject;
}

/**
 * The generator writes OpenAPI 3.0's `nullable: true`; 3.1 (JSON Schema) says it with a type list
 * (or `null` among the choices of a $ref).
 */
function toOpenApi31<T>(node: T): T {
  if (Array.isArray(node)) return node.map(toOpenApi31) as T;
  if (node === null || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) out[key] = key === 'example' || key === 'examples' ? value : toOpenApi31(value);
  if (nullable !== true) return out as T;
  // A nullable $ref comes as { type: 'object', allOf: [$ref] }: null must be a choice of its own.
  if (Array.isArray(out.allOf) && out.allOf.length === 1) {
    const { allOf, type: _object, description, example, ...others } = out as { allOf: unknown[]; type?: unknown; description?: unknown; example?: unknown };
    return { ...others, ...(description !== undefined && { description }), ...(example !== undefined && { example }), anyOf: [allOf[0], { type: 'null' }] } as T;
  }
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    return out as T;
  }
  const { description, example, ...schema } = out;
  return { ...(description !== undefined && { description }), ...(example !== undefined && { example }), anyOf: [schema, { type: 'null' }] } as T;
}
