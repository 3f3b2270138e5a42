import { TopUpGateway } from '../gateway/topup-gateway';
import { UnknownNumberResolver } from './unknown-number.resolver';

/** A gateway answering the two queries the resolver asks; each a return code or a failure. */
function gatewayAnswering(status: string | Error, myNumbers: string | Error = '0') {
  const answer = (value: string | Error) => (value instanceof Error ? Promise.reject(value) : Promise.resolve({ returnCode: value }));
  const gateway = {
    getStatusForRecharge: jest.fn(() => answer(status)),
    getMyNumbers: jest.fn(() => answer(myNumbers)),
  };
  return { gateway, sut: new UnknownNumberResolver(gateway as unknown as TopUpGateway) };
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
});
