import { withinRegion } from './page';

describe('withinRegion', () => {
  it('keeps an area inside the region, narrows a wider one to the region, and refuses another region', () => {
    expect(withinRegion('500230107', '500230')).toBe('500230107');
    expect(withinRegion('500230', '500230107')).toBe('500230107');
    expect(withinRegion(undefined, '500230')).toBe('500230');
    expect(withinRegion('500151', '500230')).toBeNull();
    expect(withinRegion('500151', '500000')).toBe('500151');
    expect(withinRegion(undefined, '500000')).toBe('');
  });
});
