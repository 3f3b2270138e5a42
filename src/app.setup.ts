import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import { registerConsole } from './admin/console-static';
import { heldMsOf } from './callbox/long-poll/held-client';
import { ErrorFamilies } from './common/http/error-families';
import { registerAccessLog } from './common/logging/access-log';
import { requestIdFor } from './common/http/request-id';
import { MetricsService } from './metrics/metrics.service';
import { buildOpenApiDocument, DOCS_JSON_PATH, DOCS_PATH, GLOBAL_PREFIX, PREFIX_EXCLUDED } from './openapi/openapi-document';

const ERROR_FAMILIES = Symbol('errorFamilies');

/** Request bodies above this are refused with 413 before any parsing. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * The HTTP adapter, shared by main.ts and the end-to-end specs so both run the same server.
 * `trustProxy` (TRUST_PROXY): the proxies whose X-Forwarded-For names the client; without it the
 * client address (PIN guard, rate limits) is the socket's and the header is ignored.
 */
export function createFastifyAdapter(options: { trustProxy?: string | null } = {}): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: options.trustProxy ?? false,
    genReqId: requestIdFor,
    // A malformed URL or an over-long path parameter is refused by the router before any hook or
    // filter runs; without this, Fastify answers with its own body and no x-request-id.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const families = (request.server as unknown as Record<symbol, ErrorFamilies | undefined>)[ERROR_FAMILIES];
      const { status, body } = (families ?? new ErrorFamilies()).rendererFor(request).render(error, request);
      void reply.header('x-request-id', request.id).status(status).send(body);
    },
  });
}

/**
 * Nest's own body parsers off: Fastify's JSON parser is the only one, so a form-encoded (or any
 * other) body on a JSON route is a 415 rather than a form parsed into the DTO.
 */
export const APP_OPTIONS = { bodyParser: false } as const;

/** Everything main.ts does to the app besides listening; the e2e specs call it too. */
export function configureApp(app: NestFastifyApplication): void {
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix(GLOBAL_PREFIX, { exclude: PREFIX_EXCLUDED });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.decorate(ERROR_FAMILIES, app.get(ErrorFamilies));
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  registerAccessLog(fastify, () => PinoLogger.root);
  const metrics = app.get(MetricsService);
  // Every route's answer counters exist at zero from boot, so the first 5xx shows in rate().
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') metrics.knownRoute(method, route.url);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL: one series per endpoint, not one per transaction id.
    // Less the time a long poll was held waiting for work: the histogram says how long the work took.
    const seconds = Math.max(0, reply.elapsedTime - heldMsOf(request)) / 1000;
    metrics.observeResponse(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, seconds);
    done();
  });

  // The admin console (dist/console, built by npm run build); without a build, /admin is a 404.
  if (!registerConsole(fastify)) app.get(Logger).warn('Admin console not built (npm run build): /admin is not served');

  const document = buildOpenApiDocument(app);
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: DOCS_JSON_PATH });
}
