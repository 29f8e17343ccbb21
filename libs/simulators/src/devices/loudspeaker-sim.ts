import { connect, MqttClient } from 'mqtt';

export type SpeakerBehaviour = 'play' | 'fail' | 'offline';

export interface PlayedRecord {
  device: string;
  jobId: string;
  text: string;
  at: string;
  status: 'played' | 'failed';
}

/**
 * 应急广播 loudspeakers on the MQTT broker: subscribe to <prefix>/broadcast/+/play, "play" the text (after a short
 * delay) and report {jobId, status: 'played'} on <prefix>/broadcast/<code>/status, retained like a device keeps
 * its last state. A device can be told to fail or to be offline (no report).
 */
export class LoudspeakerSimulator {
  private client: MqttClient | null = null;
  private readonly behaviours = new Map<string, SpeakerBehaviour>();
  readonly played: PlayedRecord[] = [];

  constructor(
    private readonly url: string,
    private readonly prefix: string,
    private readonly playMs = 100,
  ) {}

  async start(): Promise<void> {
    this.client = await new Promise<MqttClient>((resolve, reject) => {
      const c = connect(this.url, {
        clientId: `jiaoying-speaker-sim-${process.pid}-${Date.now()}`,
        reconnectPeriod: 1000,
        connectTimeout: 5000,
      });
      c.once('connect', () => resolve(c));
      c.once('error', reject);
    });
    await this.client.subscribeAsync(`${this.prefix}/broadcast/+/play`, { qos: 1 });
    this.client.on('message', (topic, payload) => this.onPlay(topic, payload));
  }

  set(device: string, behaviour: SpeakerBehaviour): void {
    this.behaviours.set(device, behaviour);
  }

  list(device?: string): PlayedRecord[] {
    return this.played.filter((p) => !device || p.device === device);
  }

  async stop(): Promise<void> {
    await this.client?.endAsync();
  }

  private onPlay(topic: string, payload: Buffer): void {
    const device = topic.split('/').at(-2) ?? '';
    const behaviour = this.behaviours.get(device) ?? 'play';
    if (behaviour === 'offline') {
      return;
    }
    let order: { jobId?: string; text?: string };
    try {
      order = JSON.parse(payload.toString('utf8')) as { jobId?: string; text?: string };
    } catch {
      return;
    }
    setTimeout(() => {
      const status = behaviour === 'fail' ? 'failed' : 'played';
      const at = new Date().toISOString();
      this.played.push({ device, jobId: String(order.jobId), text: String(order.text ?? ''), at, status });
      const report = JSON.stringify({
        jobId: order.jobId,
        status,
        at,
        ...(status === 'failed' ? { error: '功放故障（模拟）' } : {}),
      });
      this.client?.publish(`${this.prefix}/broadcast/${device}/status`, report, { qos: 1, retain: true });
    }, this.playMs).unref();
  }
}
