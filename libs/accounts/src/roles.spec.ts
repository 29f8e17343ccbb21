import { mayCall } from './roles';

describe('mayCall', () => {
  it('lets admin call everything and each role the routes that name it', () => {
    expect(mayCall('admin', ['ingest'], 'POST')).toBe(true);
    expect(mayCall('duty_officer', ['duty_officer', 'commander'], 'POST')).toBe(true);
    expect(mayCall('commander', ['duty_officer'], 'POST')).toBe(false);
    expect(mayCall('ingest', ['duty_officer'], 'GET')).toBe(false);
  });

  it('gives a shift leader what duty officers and commanders do, and nothing of admin or ingest', () => {
    expect(mayCall('shift_leader', ['duty_officer'], 'POST')).toBe(true);
    expect(mayCall('shift_leader', ['commander', 'admin'], 'GET')).toBe(true);
    expect(mayCall('shift_leader', ['admin'], 'GET')).toBe(false);
    expect(mayCall('shift_leader', ['ingest'], 'POST')).toBe(false);
  });

  it('lets a viewer read but never change, and a roster admin only roster routes', () => {
    expect(mayCall('viewer', ['duty_officer', 'commander'], 'GET')).toBe(true);
    expect(mayCall('viewer', ['duty_officer'], 'POST')).toBe(false);
    expect(mayCall('viewer', ['admin'], 'GET')).toBe(false);
    expect(mayCall('roster_admin', ['duty_officer', 'roster_admin', 'admin'], 'POST')).toBe(true);
    expect(mayCall('roster_admin', ['duty_officer'], 'POST')).toBe(false);
  });
});
