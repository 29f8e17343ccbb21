import { approvalsRequired, officerAlert, recolourHeadline } from './officer-warning';

describe('officer warnings (pure parts)', () => {
  it('needs a second approval for red or public warnings, as configured', () => {
    expect(approvalsRequired({ colour: 'red', scope: 'Restricted' }, ['red', 'public'])).toBe(1);
    expect(approvalsRequired({ colour: 'orange', scope: 'Public' }, ['red', 'public'])).toBe(1);
    expect(approvalsRequired({ colour: 'orange', scope: 'Restricted' }, ['red', 'public'])).toBe(0);
    expect(approvalsRequired({ colour: 'red', scope: 'Public' }, [])).toBe(0);
    expect(approvalsRequired({ colour: 'orange', scope: 'Public' }, ['red'])).toBe(0);
  });

  it('turns an update draft into a CAP Update on the chain, a drill into an Exercise', () => {
    const ref = { sender: 's', identifier: 'i', sent: new Date('2024-07-11T01:52:00+08:00') };
    const a = officerAlert(
      {
        id: '00000000-0000-0000-0000-000000000001',
        regionCode: '500230',
        content: {
          hazardType: 'rainstorm',
          colour: 'orange',
          event: '暴雨橙色预警',
          headline: 'h',
          description: '',
          instruction: '',
          areaCodes: ['500230107'],
          polygon: null,
          expires: '2024-07-11T12:00:00+08:00',
          drill: true,
          scope: 'Restricted',
        },
      },
      new Date('2024-07-11T03:00:00.789+08:00'),
      [ref],
      ['十直镇'],
    );
    expect(a).toMatchObject({
      msgType: 'update',
      status: 'exercise',
      references: [ref],
      identifier: 'JY-OFFICER-00000000-0000-0000-0000-000000000001',
    });
    expect(a.sent.toISOString()).toBe('2024-07-10T19:00:00.000Z');
    expect(a.info).toMatchObject({
      level: 2,
      colour: 'orange',
      severity: 'Severe',
      expires: new Date('2024-07-11T04:00:00Z'),
    });
    expect(a.info.areas[0]).toMatchObject({ areaDesc: '十直镇', divisionCodes: ['500230107'] });
  });
});

describe('recolourHeadline', () => {
  it('gives a kept headline the colour of a downgrade, so it never says the old colour', () => {
    expect(recolourHeadline('丰都县发布暴雨红色预警', 'red', 'orange')).toBe('丰都县发布暴雨橙色预警');
    expect(recolourHeadline('十直镇山洪预警', 'red', 'orange')).toBe('十直镇山洪预警');
  });
});
