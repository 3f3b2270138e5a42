// The platform's ceilings: bare Fastify endpoints (same machine, same load generator): a GET answering
// {}, and a POST whose JSON body is parsed and answered {"success":true}, as a heartbeat is.
const fastify = require('fastify')({ logger: false });
fastify.get('/', async () => ({}));
fastify.post('/', async () => ({ success: true }));
fastify.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).then(() => process.send?.('ready'));
