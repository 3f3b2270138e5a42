import { phoneForms } from './phone-forms';

describe(phoneForms.name, () => {
  it.each(['77123456', '25377123456', '+25377123456', '00253 77 12 34 56', '77 12 34 56'])('finds every stored form of %s', (typed) => {
    expect(phoneForms(typed).sort()).toEqual(['0025377123456', '25377123456', '+25377123456', '77123456'].sort());
  });

  it('looks a foreign number up as typed, with and without its +', () => {
    expect(phoneForms('+237677123456').sort()).toEqual(['00237677123456', '237677123456', '+237677123456'].sort());
  });
});
