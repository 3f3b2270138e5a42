import { StepSizer } from './step-sizer';

describe(StepSizer.name, () => {
  it('starts at the most, and shrinks a slow unit in proportion to its overrun, never below the least', () => {
    const sut = new StepSizer(500, 10);
    expect(sut.size).toBe(500);
    sut.took(1_000, 500);
    expect(sut.size).toBe(10);
    sut.took(40, 10);
    expect(sut.size).toBe(10);
    const other = new StepSizer(500, 10);
    other.took(20, 500);
    expect(other.size).toBe(250);
  });

  it('grows by half after a quick full unit, up to the most; a short last unit proves nothing', () => {
    const sut = new StepSizer(500, 10);
    sut.took(100, 500);
    expect(sut.size).toBe(50);
    sut.took(2, 20);
    expect(sut.size).toBe(50);
    sut.took(2, 50);
    expect(sut.size).toBe(75);
    for (let i = 0; i < 20; i++) sut.took(1, sut.size);
    expect(sut.size).toBe(500);
    sut.took(7, 500);
    expect(sut.size).toBe(500);
  });
});
