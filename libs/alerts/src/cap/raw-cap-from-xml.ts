import { ALERT_TEXT_FIELDS, INFO_TEXT_FIELDS, RawArea, RawCap, RawInfo, RawNameValue } from './raw-cap';
import { XmlElement } from './xml-tree';

/** The message as strings, and the line of each element by CAP path (for error messages). */
export interface RawCapFromXml {
  raw: RawCap;
  lines: Map<string, number>;
}

/**
 * Reads the CAP elements (in the root's namespace) of a parsed document. Unknown or misplaced elements are
 * ignored here; the XSD reports them.
 */
export function rawCapFromXml(root: XmlElement): RawCapFromXml {
  const ns = root.ns;
  const lines = new Map<string, number>([['alert', root.line]]);
  const kids = (el: XmlElement, local: string): XmlElement[] =>
    el.children.filter((c) => c.ns === ns && c.local === local);
  const text = (el: XmlElement, local: string, path: string): string | undefined => {
    const found = kids(el, local).at(0);
    if (found === undefined) {
      return undefined;
    }
    lines.set(path, found.line);
    return found.text;
  };
  const texts = (el: XmlElement, local: string, base: string): string[] =>
    kids(el, local).map((c, i) => {
      lines.set(`${base}${local}[${i}]`, c.line);
      return c.text;
    });
  const pairs = (el: XmlElement, local: string, base: string): RawNameValue[] =>
    kids(el, local).map((c, i) => {
      const path = `${base}${local}[${i}]`;
      lines.set(path, c.line);
      return { valueName: text(c, 'valueName', `${path}.valueName`), value: text(c, 'value', `${path}.value`) };
    });

  const raw: RawCap = { info: [] };
  for (const field of ALERT_TEXT_FIELDS) {
    raw[field] = text(root, field, field);
  }
  raw.info = kids(root, 'info').map((infoEl, i): RawInfo => {
    const base = `info[${i}].`;
    lines.set(`info[${i}]`, infoEl.line);
    const info: RawInfo = {
      category: texts(infoEl, 'category', base),
      eventCode: pairs(infoEl, 'eventCode', base),
      parameter: pairs(infoEl, 'parameter', base),
      area: kids(infoEl, 'area').map((areaEl, j): RawArea => {
        const areaBase = `${base}area[${j}].`;
        lines.set(`${base}area[${j}]`, areaEl.line);
        return {
          areaDesc: text(areaEl, 'areaDesc', `${areaBase}areaDesc`),
          polygon: texts(areaEl, 'polygon', areaBase),
          circle: texts(areaEl, 'circle', areaBase),
          geocode: pairs(areaEl, 'geocode', areaBase),
        };
      }),
    };
    for (const field of INFO_TEXT_FIELDS) {
      info[field] = text(infoEl, field, `${base}${field}`);
    }
    return info;
  });
  return { raw, lines };
}
