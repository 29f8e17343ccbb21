/** Builds zh-CN CAP 1.2 documents for tests. */
export interface CapOptions {
  identifier: string;
  sender?: string;
  sent?: string;
  msgType?: 'Alert' | 'Update' | 'Cancel';
  status?: 'Actual' | 'Exercise';
  references?: string;
  event?: string;
  colour?: '红色' | '橙色' | '黄色' | '蓝色';
  severity?: 'Extreme' | 'Severe' | 'Moderate' | 'Minor';
  headline?: string;
  expires?: string;
  polygon?: string;
  circle?: string;
  /** One division code, or several (an area across counties). */
  geocode?: string | string[];
  areaDesc?: string;
}

export function capXml(o: CapOptions): string {
  const sent = o.sent ?? new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  const colour = o.colour ?? '红色';
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${o.identifier}</identifier>
  <sender>${o.sender ?? 'fengdu-qxt@cma.gov.cn'}</sender>
  <sent>${sent}</sent>
  <status>${o.status ?? 'Actual'}</status>
  <msgType>${o.msgType ?? 'Alert'}</msgType>
  <scope>Public</scope>${o.references ? `\n  <references>${o.references}</references>` : ''}
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>${o.event ?? `暴雨${colour}预警`}</event>
    <urgency>Immediate</urgency>
    <severity>${o.severity ?? 'Extreme'}</severity>
    <certainty>Likely</certainty>${o.expires ? `\n    <expires>${o.expires}</expires>` : ''}
    <senderName>丰都县气象台</senderName>
    <headline>${o.headline ?? `丰都县气象台发布暴雨${colour}预警信号`}</headline>
    <description>预计未来3小时十直镇及周边降雨量将达100毫米以上。</description>
    <instruction>立即组织山洪危险区、地质灾害隐患点群众转移避险。</instruction>
    <parameter><valueName>预警级别</valueName><value>${colour}</value></parameter>
    <area>
      <areaDesc>${o.areaDesc ?? '丰都县十直镇'}</areaDesc>${o.polygon ? `\n      <polygon>${o.polygon}</polygon>` : ''}${o.circle ? `\n      <circle>${o.circle}</circle>` : ''}${[
        o.geocode ?? [],
      ]
        .flat()
        .map((g) => `\n      <geocode><valueName>行政区划代码</valueName><value>${g}</value></geocode>`)
        .join('')}
    </area>
  </info>
</alert>`;
}
