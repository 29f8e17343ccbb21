import { ValidationError } from '@app/common';
import { checkDraft } from './preview-draft';

const hazards = ['rainstorm', 'forest_fire'];
const fieldOf = (draft: unknown): unknown => {
  try {
    checkDraft(draft, hazards);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).details?.field;
  }
  return null;
};

describe('checkDraft', () => {
  it('closes rings, keeps circles and de-duplicates codes', () => {
    const d = checkDraft(
      {
        hazardType: 'rainstorm',
        colour: 'orange',
        area: {
          polygons: [
            [
              [107, 29],
              [108, 29],
              [108, 30],
            ],
          ],
          circles: [{ lon: 107.5, lat: 29.5, radiusKm: 3 }],
          codes: ['500230107', '500230107'],
        },
      },
      hazards,
    );
    expect(d.level).toBe(2);
    expect(d.area.polygons).toEqual(['POLYGON((107 29, 108 29, 108 30, 107 29))']);
    expect(d.area.circles).toEqual([{ lon: 107.5, lat: 29.5, radiusKm: 3 }]);
    expect(d.area.codes).toEqual(['500230107']);
  });

  it('treats a draft without level or colour as an advisory', () => {
    expect(checkDraft({ hazardType: 'rainstorm', area: { codes: ['500230'] } }, hazards).level).toBeNull();
  });

  it('names the field of each problem', () => {
    expect(fieldOf({ hazardType: 'x', area: { codes: ['500230'] } })).toBe('hazardType');
    expect(fieldOf({ hazardType: 'rainstorm', level: 1, colour: 'blue', area: { codes: ['500230'] } })).toBe('colour');
    expect(fieldOf({ hazardType: 'rainstorm', colour: 'pink', area: { codes: ['500230'] } })).toBe('colour');
    expect(fieldOf({ hazardType: 'rainstorm' })).toBe('area');
    expect(
      fieldOf({
        hazardType: 'rainstorm',
        area: {
          polygons: [
            [
              [107, 29],
              [108, 29],
            ],
          ],
        },
      }),
    ).toBe('area.polygons[0]');
    expect(
      fieldOf({
        hazardType: 'rainstorm',
        area: {
          polygons: [
            [
              [107, 29],
              [190, 29],
              [108, 30],
            ],
          ],
        },
      }),
    ).toBe('area.polygons[0][1]');
    expect(fieldOf({ hazardType: 'rainstorm', area: { circles: [{ lon: 107, lat: 29, radiusKm: 900 }] } })).toBe(
      'area.circles[0].radiusKm',
    );
    expect(fieldOf({ hazardType: 'rainstorm', area: { circles: [{ lon: 107 }] } })).toBe('area.circles[0]');
    expect(fieldOf({ hazardType: 'rainstorm', area: { codes: ['50023'] } })).toBe('area.codes');
  });
});
