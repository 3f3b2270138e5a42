// The platform's ceiling: a bare Fastify endpoint answering {} (same machine, same load generator).
const fastify = require('fastify')({ logger: false });
fastify.get('/', async () => ({}));
fastify.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).then(() => process.send?.('ready'));
