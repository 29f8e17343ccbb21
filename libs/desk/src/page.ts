export interface PageQuery {
  page: number;
  pageSize: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export const offsetOf = (q: PageQuery): number => (q.page - 1) * q.pageSize;

/** Narrows a requested area to the caller's region: the longer of the two codes when one contains the other, else null. */
export function withinRegion(within: string | undefined, regionCode: string): string | null {
  const region = regionCode === '500000' ? '' : regionCode;
  const asked = within ?? region;
  if (asked.startsWith(region)) {
    return asked;
  }
  return region.startsWith(asked) ? region : null;
}
