import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { polygonWkt } from '@app/alerts';
import { PreviewRecipient, WarningPreview, WarningPreviewService } from '@app/matching';
import { DeskWarningsService } from './desk-warnings.service';
import { Page, PageQuery } from './page';

/** What a person reads before issuing: counts by place and tier, who cannot be reached and why, what is matched. */
export interface PreviewSummary {
  hazardType: string;
  level: string;
  levelZh: string;
  requiresAck: boolean;
  publicBroadcast: boolean;
  counts: { total: number; reachable: number; unreachable: number; countyLevel: number };
  byTier: Array<{ tier: number; name: string; count: number; ackDeadlineMin: number }>;
  byCounty: Array<{ code: string; name: string; count: number }>;
  byTown: Array<{ code: string; name: string; count: number }>;
  byVillage: Array<{ code: string; name: string; townCode: string; count: number }>;
  unreachable: Array<{
    personId: string;
    name: string;
    title: string | null;
    unitName: string;
    why: string;
    reasons: string[];
  }>;
  zones: { count: number; items: Array<{ code: string; name: string; unitCode: string }> };
  objects: { count: number; items: Array<{ code: string; name: string; type: string; unitCode: string }> };
  outsideRegion: number;
  /** Warnings of the same hazard already in force over part of this area: propose an update of one of them instead. */
  overlapping: Array<{ id: string; headline: string; colour: string | null; areaCodes: string[] }>;
  proposeUpdate: boolean;
}

interface DraftArea {
  hazardType?: unknown;
  area?: { codes?: unknown; polygons?: unknown };
}

const SHOWN = 100;

/** Condenses the full preview (WarningPreviewService) for the desk, and pages through its recipients. */
@Injectable()
export class PreviewSummaryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly previews: WarningPreviewService,
    private readonly warnings: DeskWarningsService,
  ) {}

  async summary(draft: unknown, regionCode: string): Promise<PreviewSummary> {
    const p = await this.previews.preview(draft, { regionCode });
    const overlapping = await this.overlapping(draft as DraftArea, p.hazardType, regionCode);
    return {
      hazardType: p.hazardType,
      level: p.level,
      levelZh: p.levelZh,
      requiresAck: p.requiresAck,
      publicBroadcast: p.publicBroadcast,
      counts: {
        total: p.counts.total,
        reachable: p.counts.reachable,
        unreachable: p.counts.unreachable,
        countyLevel: p.counts.countyLevel,
      },
      byTier: p.tiers.map((t) => ({
        tier: t.tier,
        name: t.name,
        count: p.counts.byTier[String(t.tier)] ?? 0,
        ackDeadlineMin: t.ackDeadlineMin,
      })),
      byCounty: await this.byCounty(p),
      byTown: p.counts.byTown,
      byVillage: p.counts.byVillage,
      unreachable: p.unreachable.map((u) => ({
        personId: u.personId,
        name: u.name,
        title: u.title,
        unitName: u.unitName,
        why: u.contactProblem,
        reasons: u.reasons,
      })),
      zones: { count: p.matched.zones.length, items: p.matched.zones.slice(0, SHOWN) },
      objects: { count: p.matched.objects.length, items: p.matched.objects.slice(0, SHOWN) },
      outsideRegion: p.matched.outsideRegion,
      overlapping,
      proposeUpdate: overlapping.length > 0,
    };
  }

  /** The full recipient list, one page at a time, searchable by name, unit, town or village. */
  async recipients(draft: unknown, regionCode: string, q: PageQuery & { q?: string }): Promise<Page<PreviewRecipient>> {
    const p = await this.previews.preview(draft, { regionCode });
    const text = q.q?.trim();
    const hits = text
      ? p.recipients.filter((r) =>
          [r.name, r.title, r.unitName, r.townName, r.villageName].some((v) => v?.includes(text)),
        )
      : p.recipients;
    return {
      items: hits.slice((q.page - 1) * q.pageSize, q.page * q.pageSize),
      total: hits.length,
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  private async byCounty(p: WarningPreview): Promise<PreviewSummary['byCounty']> {
    const counts = new Map<string, number>();
    for (const r of p.recipients) {
      const county = r.unitCode.slice(0, 6);
      counts.set(county, (counts.get(county) ?? 0) + 1);
    }
    const names = await this.dataSource.query<Array<{ code: string; name: string }>>(
      `SELECT code, name FROM admin_units WHERE code = ANY($1)`,
      [[...counts.keys()]],
    );
    const nameOf = new Map(names.map((n) => [n.code, n.name]));
    return [...counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([code, count]) => ({ code, name: nameOf.get(code) ?? code, count }));
  }

  private async overlapping(
    draft: DraftArea,
    hazardType: string,
    regionCode: string,
  ): Promise<PreviewSummary['overlapping']> {
    const codes = Array.isArray(draft.area?.codes)
      ? draft.area.codes.filter((c): c is string => typeof c === 'string')
      : [];
    const rings = Array.isArray(draft.area?.polygons) ? (draft.area.polygons as Array<Array<[number, number]>>) : [];
    const wkt = rings.length > 0 ? `GEOMETRYCOLLECTION(${rings.map((r) => polygonWkt(r)).join(', ')})` : null;
    return this.warnings.overlapping(hazardType, codes, wkt, regionCode);
  }
}
