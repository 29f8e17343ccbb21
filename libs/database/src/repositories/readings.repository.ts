import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A station's reading as measured: a water level, a rainfall, or both. */
export interface NewStationReading {
  stationId: string;
  at: Date;
  waterLevel: number | null;
  rainfallMm: number | null;
}

/**
 * The only writer of `station_readings` (water levels and rainfall, once per station and time) and
 * `fire_danger_ratings` (one per area and day, a later one replacing it).
 */
@Injectable()
export class ReadingsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Returns the reading's id, or null when the station already has one at that time (nothing written). */
  async addReading(r: NewStationReading, now: Date): Promise<string | null> {
    const [row] = await this.dataSource.query<Array<{ id: string }>>(
      `INSERT INTO station_readings (station_id, at, water_level, rainfall_mm, received_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (station_id, at) DO NOTHING RETURNING id`,
      [r.stationId, r.at, r.waterLevel, r.rainfallMm, now],
    );
    return row?.id ?? null;
  }

  /** The station's rainfall readings of the 24 hours up to `at`. */
  async rainfallUpTo(stationId: string, at: Date): Promise<Array<{ at: Date; rainfallMm: number }>> {
    const rows = await this.dataSource.query<Array<{ at: Date; rainfall_mm: string }>>(
      `SELECT at, rainfall_mm FROM station_readings
       WHERE station_id = $1 AND rainfall_mm IS NOT NULL AND at > $2::timestamptz - interval '24 hours' AND at <= $2`,
      [stationId, at],
    );
    return rows.map((r) => ({ at: r.at, rainfallMm: Number(r.rainfall_mm) }));
  }

  /** The area's rating for the day (YYYY-MM-DD); a later one for the same day replaces it. */
  async rateFireDanger(areaCode: string, date: string, rating: number, now: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO fire_danger_ratings (area_code, date, rating, received_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (area_code, date) DO UPDATE SET rating = EXCLUDED.rating, received_at = EXCLUDED.received_at`,
      [areaCode, date, rating, now],
    );
  }
}
