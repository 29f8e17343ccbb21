import { ref } from 'vue';
import { api } from './api';
import { HAZARDS, COLOURS, templateText } from './labels';

/** Hazards × levels with Chinese names and template text, from the server (GET /api/v1/reference/hazards); the local table until it answers. */
export const hazards = ref(HAZARDS.map(([code, name]) => ({ code, name, levels: [] })));
let loaded = null;

export function loadHazards() {
  loaded ??= api('/api/v1/reference/hazards')
    .then((list) => {
      if (Array.isArray(list) && list.length) {
        hazards.value = list;
      }
    })
    .catch(() => {
      loaded = null;
    });
  return loaded;
}

/** The template of one hazard × level with its placeholders filled: {区域}, {发布单位}, {时段}. */
export function fillTemplate(hazardType, colour, { area, issuer, hours }) {
  const level = hazards.value.find((h) => h.code === hazardType)?.levels.find((l) => l.colour === colour);
  const tpl = level?.template ?? templateText(hazardType, colour, area);
  const fill = (s) =>
    (s ?? '')
      .replaceAll('{区域}', area || '相关区域')
      .replaceAll('{发布单位}', issuer || '')
      .replaceAll('{时段}', hours ? `未来${hours}小时` : '近期');
  return { headline: fill(tpl.headline), description: fill(tpl.description), instruction: fill(tpl.instruction) };
}

export const colourOrder = COLOURS.map((c) => c[0]);

/** Division names for codes, looked up among their parent's children (a county among the roots). */
export async function namesOf(codes) {
  return Promise.all(
    (codes ?? []).map(async (code) => {
      const parent = code.length > 6 ? code.slice(0, code.length - 3) : undefined;
      const siblings = await api('/api/v1/divisions', { query: { parent } }).catch(() => []);
      return { code, name: (Array.isArray(siblings) ? siblings : []).find((d) => d.code === code)?.name ?? code };
    }),
  );
}
