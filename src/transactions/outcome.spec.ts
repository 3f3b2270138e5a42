import { outcomeMessageBody } from './outcome';

describe(outcomeMessageBody.name, () => {
  it("adds the sequence last and keeps the payload's bytes as they are", () => {
    const payload = '{"event":"transaction.completed","transactionId":"tx_1","amount":1500,"customerInfo":{"name":"A\\u00efssatou"}}';

    const sut = outcomeMessageBody(payload, 2);

    expect(sut).toBe(`${payload.slice(0, -1)},"sequence":2}`);
    expect(JSON.parse(sut)).toEqual({ ...JSON.parse(payload), sequence: 2 });
  });

  it('numbers an empty object too, and refuses what is not a JSON object', () => {
    expect(outcomeMessageBody('{}', 1)).toBe('{"sequence":1}');
    expect(() => outcomeMessageBody('[1]', 1)).toThrow('JSON object');
  });
});
