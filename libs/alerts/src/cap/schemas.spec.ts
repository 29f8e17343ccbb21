import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAP11_XSD, CAP12_XSD } from './schemas';

describe('embedded CAP schemas', () => {
  it.each([
    ['cap12.xsd', CAP12_XSD],
    ['cap11.xsd', CAP11_XSD],
  ])('%s is the OASIS file, unchanged', (file, embedded) => {
    expect(embedded).toBe(readFileSync(join(__dirname, '../../../../test/fixtures/cap', file), 'utf8'));
  });
});
