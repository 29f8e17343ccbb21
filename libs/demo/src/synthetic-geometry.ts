import { EntityManager } from 'typeorm';
import { NewSyntheticZone } from '@app/database';
import { seedOf } from './deterministic-id';
import { DivisionTree } from './division-tree';
import { ZonePlan } from './risk-zones';
import { GEO } from './owners';

// SYNTHETIC geometry, generated in PostGIS (GeographyRepository): there are no public town/village outlines for
// these counties, so children are Voronoi cells of seeded random points inside their parent, clipped to it.

/** Gives every child of the given parents an outline, from points seeded by the parent's code. */
export async function partitionChildren(m: EntityManager, tree: DivisionTree, parentCodes: string[]): Promise<void> {
  const parents = parentCodes
    .map((code) => ({
      code,
      childCodes: tree.childrenOf(code).map((c) => c.code),
      seed: seedOf(`outline-seeds:${code}`),
    }))
    .filter((p) => p.childCodes.length > 0);
  await GEO.drawSyntheticOutlines(m, parents);
}

/** Inserts the zones with their SYNTHETIC polygons (strip, disc or blob around a seeded point of the village). */
export async function insertRiskZones(m: EntityManager, zones: ZonePlan[]): Promise<void> {
  await GEO.insertSyntheticZones(
    m,
    zones.map((z): NewSyntheticZone => {
      const common = { ...z, lengthM: 0, azimuthDeg: 0, points: 1 };
      switch (z.shape.type) {
        case 'strip':
          return {
            ...common,
            shape: 'strip',
            radiusM: z.shape.widthM / 2,
            lengthM: z.shape.lengthM,
            azimuthDeg: z.shape.azimuthDeg,
          };
        case 'disc':
          return { ...common, shape: 'disc', radiusM: z.shape.radiusM };
        case 'blob':
          return { ...common, shape: 'blob', radiusM: z.shape.radiusM, points: z.shape.points };
      }
    }),
  );
}
