import { csvField, csvLine } from './csv';

describe(csvField.name, () => {
  it('quotes separators, quotes and line breaks', () => {
    expect(csvField('Dupont, Jean')).toBe('"Dupont, Jean"');
    expect(csvField('dit "le grand"')).toBe('"dit ""le grand"""');
    expect(csvField('a\nb')).toBe('"a\nb"');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+33')).toBe("'+33");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
  });

  it('writes numbers as they are (a negative amount stays a number), null as nothing', () => {
    expect(csvField(-5)).toBe('-5');
    expect(csvField(null)).toBe('');
    expect(csvLine(['tx_1', 1000, null])).toBe('tx_1,1000,\r\n');
  });
});
