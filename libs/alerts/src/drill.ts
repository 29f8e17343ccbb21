/** Statistics read this view: real warnings only (drills run the whole chain but never count). */
export const REAL_WARNINGS_VIEW = 'real_warnings';

/** What people read: a drill's title always starts with 【演练】. */
export function displayHeadline(headline: string, isDrill: boolean): string {
  return isDrill && !headline.startsWith('【演练】') ? `【演练】${headline}` : headline;
}
