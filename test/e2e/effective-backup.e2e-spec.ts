import { DataSource } from 'typeorm';
import { ResponsibilityAssignmentEntity, RosterRepository } from '@app/database';
import { openTestDataSource, resetDatabase } from '@app/testing';

const UNIT = '500230';
/** Person and assignment ids chosen so that the order by id is the order of the letters. */
const person = (n: number) => `00000000-0000-4000-8000-0000000000${n.toString(16).padStart(2, '0')}`;
const assignment = (n: number) => `00000000-0000-4000-8000-0000000001${n.toString(16).padStart(2, '0')}`;
const [A, B, C, D, E, F, G] = [1, 2, 3, 4, 5, 6, 7].map(person);

/**
 * A person's effective A/B 角 (persons.effective_backup_id, read by matching) is their own backup, else the backup
 * of their first assignment by id that names one; the database keeps it so whoever writes persons or assignments.
 */
describe('the effective backup kept on each person', () => {
  let ds: DataSource;
  const roster = new RosterRepository();

  const effective = async (id: string) =>
    (await ds.query<Array<{ b: string | null }>>(`SELECT effective_backup_id AS b FROM persons WHERE id = $1`, [id]))[0]
      .b;
  /** People whose kept value differs from the definition, computed afresh. */
  const wrong = () =>
    ds.query<Array<{ id: string }>>(
      `SELECT p.id FROM persons p WHERE p.effective_backup_id IS DISTINCT FROM coalesce(p.backup_person_id,
         (SELECT a.backup_person_id FROM responsibility_assignments a
          WHERE a.person_id = p.id AND a.backup_person_id IS NOT NULL ORDER BY a.id LIMIT 1))`,
    );
  const assign = (n: number, personId: string, backup: string | null) =>
    ds.query(
      `INSERT INTO responsibility_assignments (id, person_id, sector, role_slot, target_type, target_id, backup_person_id)
       VALUES ($1, $2, 'flood', 'admin', 'unit', $3, $4)`,
      [assignment(n), personId, UNIT, backup],
    );

  beforeAll(async () => {
    ds = await openTestDataSource();
  });

  beforeEach(async () => {
    await resetDatabase(ds);
    await ds.query(`INSERT INTO admin_units (code, name, level) VALUES ($1, '丰都县', 'county')`, [UNIT]);
    await roster.insertSyntheticPersons(
      ds.manager,
      [A, B, C, D, E, F, G].map((id) => ({
        id,
        name: id.slice(-2),
        title: '',
        organization: '',
        adminUnitCode: UNIT,
        backupPersonId: null,
      })),
    );
  });

  afterAll(async () => {
    await ds.destroy();
  });

  it('follows each assignment written, changed, moved and deleted', async () => {
    await assign(5, A, null);
    expect(await effective(A)).toBeNull();
    await assign(7, A, B);
    expect(await effective(A)).toBe(B);
    await assign(6, A, C); // a lower id than the one naming B
    expect(await effective(A)).toBe(C);

    const repo = ds.getRepository(ResponsibilityAssignmentEntity);
    const sixth = await repo.findOneByOrFail({ id: assignment(6) });
    await roster.saveAssignment(ds.manager, Object.assign(sixth, { backupPersonId: D }));
    expect(await effective(A)).toBe(D);
    await roster.saveAssignment(ds.manager, Object.assign(sixth, { personId: G }));
    expect([await effective(A), await effective(G)]).toEqual([B, D]);

    await ds.query(`DELETE FROM responsibility_assignments WHERE id = $1`, [assignment(7)]);
    expect(await effective(A)).toBeNull();
    expect(await wrong()).toEqual([]);
  });

  it('puts the person’s own backup first, and falls back to the assignments when it is cleared', async () => {
    await assign(1, A, B);
    await ds.query(`UPDATE persons SET backup_person_id = $2 WHERE id = $1`, [A, E]);
    expect(await effective(A)).toBe(E);
    await assign(0, A, F); // first by id, yet the person's own backup still wins
    expect(await effective(A)).toBe(E);
    await ds.query(`UPDATE persons SET backup_person_id = NULL WHERE id = $1`, [A]);
    expect(await effective(A)).toBe(F);

    await ds.query(`UPDATE persons SET effective_backup_id = $2 WHERE id = $1`, [A, G]);
    expect(await effective(A)).toBe(F); // written directly, it is put right
    expect(await wrong()).toEqual([]);
  });

  it('is kept by set-based writes over many people at once', async () => {
    await ds.query(
      `INSERT INTO responsibility_assignments (person_id, sector, role_slot, target_type, target_id, backup_person_id)
       SELECT p, 'flood', r, 'unit', $1, b FROM unnest($2::uuid[]) p, unnest($3::uuid[]) b,
         unnest(ARRAY['admin', 'technical']) r`,
      [UNIT, [A, B, C, D], [E, F, G]],
    );
    expect(await wrong()).toEqual([]);
    expect(await effective(A)).not.toBeNull();
    await ds.query(`UPDATE responsibility_assignments SET backup_person_id = NULL WHERE backup_person_id = $1`, [E]);
    expect(await wrong()).toEqual([]);
    await ds.query(`DELETE FROM responsibility_assignments WHERE person_id = ANY ($1::uuid[])`, [[A, B]]);
    expect(await wrong()).toEqual([]);
    expect([await effective(A), await effective(B)]).toEqual([null, null]);
    expect([await effective(C), await effective(D)]).toEqual([expect.any(String), expect.any(String)]);
  });
});
