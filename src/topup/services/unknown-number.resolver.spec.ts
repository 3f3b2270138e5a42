import { TopUpGateway } from '../gateway/topup-gateway';
import { Clock } from '../../common/clock/clock';
import { RESOLVED_TTL_MS, UnknownNumberResolver } from './unknown-number.resolver';

class ManualClock extends Clock {
  constructor(public time = 1_700_000_000_000) {
    super();
  }
  now(): number {
    return this.time;
  }
}

/** A gateway answering the two queries the resolver asks; each a return code or a failure. */
function gatewayAnswering(status: string | Error, myNumbers: string | Error = '0', clock = new ManualClock()) {
  const answer = (value: string | Error) => (value instanceof Error ? Promise.reject(value) : Promise.resolve({ returnCode: value }));
  const gateway = {
    getStatusForRecharge: jest.fn(() => answer(status)),
    getMyNumbers: jest.fn(() => answer(myNumbers)),
  };
  return { gateway, clock, sut: new UnknownNumberResolver(gateway as unknown as TopUpGateway, clock) };
}

describe(UnknownNumberResolver.name, () => {
  it.each([
    ['0', 'mobile'],
    ['2', 'mobile'],
    ['453', 'mobile'],
  ])('a line whose status is %p exists: the mobile is the unknown one', async (status, expected) => {
    const { gateway, sut } = gatewayAnswering(status);
    await expect(sut.which('25377999999', '25321123456')).resolves.toBe(expected);
    expect(gateway.getStatusForRecharge).toHaveBeenCalledWith('21123456');
    expect(gateway.getMyNumbers).not.toHaveBeenCalled();
  });

  it('an unknown line and a known mobile: the line', async () => {
    const { gateway, sut } = gatewayAnswering('1', '0');
    await expect(sut.which('77123456', '21000001')).resolves.toBe('fixed');
    expect(gateway.getMyNumbers).toHaveBeenCalledWith('77123456');
  });

  it('both unknown: both', async () => {
    await expect(gatewayAnswering('1', '1').sut.which('77999999', '21000001')).resolves.toBe('both');
  });

  it('the status query failing: unresolved', async () => {
    await expect(gatewayAnswering(new Error('down')).sut.which('77999999', '21123456')).resolves.toBe('unresolved');
  });

  it('the directory query failing after an unknown line: the line, which is certain', async () => {
    await expect(gatewayAnswering('1', new Error('down')).sut.which('77999999', '21000001')).resolves.toBe('fixed');
  });

  it('asks the operator once per pair in a minute, however many requests name it, either number form', async () => {
    const { gateway, clock, sut } = gatewayAnswering('1', '1');
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => sut.which(i % 2 ? '77999999' : '25377999999', '21000001')));
    expect(new Set(answers)).toEqual(new Set(['both']));
    await sut.which('77999999', '21000001');
    expect(gateway.getStatusForRecharge).toHaveBeenCalledTimes(1);
    expect(gateway.getMyNumbers).toHaveBeenCalledTimes(1);
    clock.time += RESOLVED_TTL_MS;
    await sut.which('77999999', '21000001');
    expect(gateway.getStatusForRecharge).toHaveBeenCalledTimes(2);
  });

  it('remembers no unresolved answer: the next request asks again', async () => {
    const { gateway, sut } = gatewayAnswering(new Error('down'));
    await sut.which('77999999', '21123456');
    await sut.which('77999999', '21123456');
    expect(gateway.getStatusForRecharge).toHaveBeenCalledTimes(2);
  });

  it('starts no query that could not finish before the deadline', async () => {
    const { gateway, clock, sut } = gatewayAnswering('1', '1');
    await expect(sut.which('77999999', '21000001', clock.time + 9_999)).resolves.toBe('unresolved');
    expect(gateway.getStatusForRecharge).not.toHaveBeenCalled();
    // Time for the line's status (10 s) but not the directory (15 s): the line, which is certain.
    await expect(sut.which('77999998', '21000001', clock.time + 12_000)).resolves.toBe('fixed');
    expect(gateway.getMyNumbers).not.toHaveBeenCalled();
  });
});
