import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { actorOf, Clock, ForbiddenError, inRegion, ValidationError } from '@app/common';
import { warningEventZh } from '@app/config';
import { ReadingsRepository } from '@app/database';
import type { RainThreshold, StationKind } from '@app/database';
import { checkPlausible } from '../cap/cap-time';
import { AlarmResult, SensorAlarmService } from './sensor-alarm.service';
import { sensorConfig } from './sensor-config';
import {
  evaluateRain,
  evaluateWaterLevel,
  fireRatingHit,
  rainfallTotals,
  RainWindow,
  ThresholdHit,
} from './thresholds';

export interface ReadingInput {
  station: string;
  at: Date;
  waterLevel?: number;
  rainfallMm?: number;
}

export interface ReadingResult {
  readingId: string | null;
  duplicate: boolean;
  rainfall: Record<RainWindow, number> | null;
  level: AlarmResult | null;
  rain: AlarmResult | null;
}

export interface FireRatingInput {
  areaCode: string;
  /** YYYY-MM-DD, the day the rating is for (China time). */
  date: string;
  rating: number;
}

interface StationRow {
  id: string;
  code: string;
  name: string;
  kind: StationKind;
  admin_unit_code: string;
  unit_name: string;
  warning_level: string | null;
  guaranteed_level: string | null;
  flood_limit_level: string | null;
  rain_thresholds: RainThreshold[];
}

const FUTURE_SKEW_MS = 10 * 60_000;

/**
 * Sensor readings (river and reservoir water levels, rainfall) and daily forest-fire danger ratings: stored, then
 * checked against the station's thresholds; a threshold reached raises or upgrades the station's warning.
 */
@Injectable()
export class ReadingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly readings: ReadingsRepository,
    private readonly alarms: SensorAlarmService,
    private readonly clock: Clock,
  ) {}

  async record(
    input: ReadingInput,
    caller: { name: string; regionCode: string; actor?: string },
  ): Promise<ReadingResult> {
    const now = this.clock.now();
    const station = await this.station(input.station, caller.regionCode);
    const implausible = checkPlausible(input.at, now, FUTURE_SKEW_MS);
    if (implausible) {
      throw new ValidationError(`at: ${implausible}（观测时间不合理）`, { field: 'at', problem: implausible });
    }
    if (input.waterLevel === undefined && input.rainfallMm === undefined) {
      throw new ValidationError('a reading needs waterLevel or rainfallMm（须提供水位或雨量）', {
        field: 'waterLevel',
        problem: 'missing',
      });
    }
    if (input.waterLevel !== undefined && station.kind === 'rain') {
      throw new ValidationError(`station ${station.code} is a rain gauge and has no water level（雨量站无水位）`, {
        field: 'waterLevel',
        problem: 'rain gauge',
      });
    }
    const readingId = await this.readings.addReading(
      {
        stationId: station.id,
        at: input.at,
        waterLevel: input.waterLevel ?? null,
        rainfallMm: input.rainfallMm ?? null,
      },
      now,
    );
    const config = sensorConfig();
    const actor = actorOf(caller);
    const base = { sender: config.sender, senderName: config.senderName, drill: false, scope: 'Restricted' as const };
    const area = { areaDesc: station.unit_name, divisionCodes: [station.admin_unit_code], polygons: [] };

    let level: AlarmResult | null = null;
    if (input.waterLevel !== undefined) {
      const hit = evaluateWaterLevel(
        {
          warningLevel: num(station.warning_level),
          guaranteedLevel: num(station.guaranteed_level),
          floodLimitLevel: num(station.flood_limit_level),
        },
        input.waterLevel,
        config.levelColours,
      );
      const hazardType = station.kind === 'reservoir' ? 'reservoir' : 'flood';
      level = await this.alarms.apply(
        `station:${station.code}:level`,
        hit,
        hoursAfter(now, config.warningHours.level),
        { ...base, ...area, hazardType, ...texts(hazardType, station, hit) },
        actor,
      );
    }
    let rainfall: Record<RainWindow, number> | null = null;
    let rain: AlarmResult | null = null;
    if (input.rainfallMm !== undefined) {
      rainfall = rainfallTotals(await this.readings.rainfallUpTo(station.id, input.at), input.at);
      const hit = evaluateRain(station.rain_thresholds, rainfall);
      rain = await this.alarms.apply(
        `station:${station.code}:rain`,
        hit,
        hoursAfter(now, config.warningHours.rain),
        { ...base, ...area, hazardType: 'rainstorm', ...texts('rainstorm', station, hit) },
        actor,
      );
    }
    return { readingId, duplicate: readingId === null, rainfall, level, rain };
  }

  /** Stores the day's rating (a later one for the same day replaces it) and raises or upgrades the fire warning. */
  async recordFireRating(
    input: FireRatingInput,
    caller: { name: string; regionCode: string; actor?: string },
  ): Promise<AlarmResult & { rating: number }> {
    const day = new Date(`${input.date}T00:00:00Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== input.date) {
      throw new ValidationError(`date ${input.date} is not a real day（日期无效）`, {
        field: 'date',
        problem: 'not a real day',
      });
    }
    const [unit] = await this.dataSource.query<Array<{ code: string; name: string }>>(
      `SELECT code, name FROM admin_units WHERE code = $1`,
      [input.areaCode],
    );
    if (!unit) {
      throw new ValidationError(`areaCode ${input.areaCode} is not a known division code（行政区划代码不存在）`, {
        field: 'areaCode',
        problem: 'unknown',
      });
    }
    assertInRegion(unit.code, caller.regionCode, `area ${unit.code}`);
    const now = this.clock.now();
    await this.readings.rateFireDanger(unit.code, input.date, input.rating, now);
    const config = sensorConfig();
    const hit = fireRatingHit(input.rating, config.fireRatingColours);
    // The rating holds for its day (China time): the warning expires at the next midnight.
    const expires = new Date(Date.parse(`${input.date}T00:00:00+08:00`) + 24 * 3_600_000);
    const event = warningEventZh('forest_fire', hit?.colour ?? null);
    const result = await this.alarms.apply(
      `fire:${unit.code}:${input.date}`,
      expires.getTime() > now.getTime() ? hit : null,
      expires,
      {
        sender: config.sender,
        senderName: config.senderName,
        drill: false,
        scope: 'Restricted',
        hazardType: 'forest_fire',
        event,
        headline: `${unit.name}${event}（${input.date} 火险等级${input.rating}级）`,
        description: `${input.date}${unit.name}森林火险气象等级${input.rating}级。`,
        instruction: '严格管控野外用火，落实护林员巡山守卡，检查站（哨卡）按规定值守。',
        areaDesc: unit.name,
        divisionCodes: [unit.code],
        polygons: [],
      },
      actorOf(caller),
    );
    return { ...result, rating: input.rating };
  }

  private async station(code: string, regionCode: string): Promise<StationRow> {
    const [station] = await this.dataSource.query<StationRow[]>(
      `SELECT s.id, s.code, s.name, s.kind, s.admin_unit_code, u.name AS unit_name, s.warning_level, s.guaranteed_level,
              s.flood_limit_level, s.rain_thresholds
       FROM stations s JOIN admin_units u ON u.code = s.admin_unit_code WHERE s.code = $1`,
      [code],
    );
    if (!station) {
      throw new ValidationError(`station ${code} is not known（测站编码不存在）`, {
        field: 'station',
        problem: 'unknown',
      });
    }
    assertInRegion(station.admin_unit_code, regionCode, `station ${code}`);
    return station;
  }
}

function texts(hazardType: string, station: StationRow, hit: ThresholdHit | null) {
  const event = warningEventZh(hazardType, hit?.colour ?? null);
  return {
    event,
    headline: `${station.name}${event}：${hit?.reason ?? ''}`,
    description: `${station.name}（${station.code}）${hit?.reason ?? ''}。`,
    instruction:
      hazardType === 'rainstorm'
        ? '加强雨中巡查，做好山洪、地质灾害危险区人员转移准备。'
        : '立即组织巡堤查险，做好下游危险区人员转移准备，严防私自回流。',
  };
}

function assertInRegion(code: string, regionCode: string, what: string): void {
  if (!inRegion(code, regionCode)) {
    throw new ForbiddenError(`${what} lies outside your region ${regionCode}（不在您的辖区）`, {
      field: 'region',
      problem: 'outside',
    });
  }
}

function num(v: string | null): number | null {
  return v === null ? null : Number(v);
}

function hoursAfter(t: Date, hours: number): Date {
  return new Date(t.getTime() + hours * 3_600_000);
}
