import { findUntypedResponses } from './untyped-responses';

const ok = { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/Answer' } } } };

describe(findUntypedResponses.name, () => {
  it('accepts responses whose schemas are typed all the way down', () => {
    const document = {
      paths: { '/a': { get: { responses: { '200': ok, '204': { description: 'Nothing' } } } } },
      components: {
        schemas: {
          Answer: { type: 'object', properties: { n: { type: 'integer' }, map: { type: 'object', additionalProperties: { type: 'string' } } } },
        },
      },
    };
    expect(findUntypedResponses(document)).toEqual([]);
  });

  it('counts a response without schema, a bare object, one nested in a component, and an empty description', () => {
    const document = {
      paths: {
        '/a': {
          post: {
            responses: {
              '200': { description: '', content: { 'application/json': { schema: { type: 'object' } } } },
              '400': { description: 'Bad' },
              '409': ok,
            },
          },
        },
      },
      components: { schemas: { Answer: { type: 'object', properties: { details: { type: ['object', 'null'] } } } } },
    };
    expect(findUntypedResponses(document)).toEqual([
      'POST /a 200: no description',
      'POST /a 200: untyped object',
      'POST /a 400: no schema',
      '#/components/schemas/Answer.details: untyped object',
    ]);
  });

  it('types a CSV download by its text/csv schema, and still counts one without', () => {
    const csv = (schema?: object) => ({ description: 'CSV', content: { 'text/csv': schema ? { schema } : {} } });
    const document = { paths: { '/export': { get: { responses: { '200': csv({ type: 'string' }) } } }, '/bad': { get: { responses: { '200': csv() } } } } };
    expect(findUntypedResponses(document)).toEqual(['GET /bad 200: no schema']);
  });

  it('inspects the webhooks payloads', () => {
    const document = { webhooks: { outcome: { post: { requestBody: { content: { 'application/json': { schema: { type: 'object' } } } } } } } };
    expect(findUntypedResponses(document)).toEqual(['webhook outcome POST: untyped object']);
  });
});
