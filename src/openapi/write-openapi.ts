import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module';
import { buildOpenApiDocument, GLOBAL_PREFIX, PREFIX_EXCLUDED } from './openapi-document';

/**
 * `npm run openapi -- --out openapi.json`: writes the OpenAPI document without a server. The app is
 * built in Nest's preview mode (modules scanned, no provider instantiated): no database, no SOAP
 * simulator, no port. Run from dist (after `nest build`): the Swagger CLI plugin's metadata (types
 * and validation rules of the DTOs) exists only in the compiled code.
 */
async function main(argv: string[]): Promise<void> {
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? argv[outIndex + 1] : undefined;
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  app.setGlobalPrefix(GLOBAL_PREFIX, { exclude: PREFIX_EXCLUDED });
  const json = `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  await app.close();
  if (out) writeFileSync(out, json);
  else process.stdout.write(json);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
