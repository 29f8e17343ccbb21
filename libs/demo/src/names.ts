import { createHash } from 'node:crypto';
import { Prng } from './deterministic-id';

// SYNTHETIC: fake Chinese names built from common surnames and given-name characters. Any resemblance to
// a real person is a coincidence of common names.

/** Common surnames, weighted towards those frequent in Chongqing (repeats raise the weight). */
export const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢钟谭陆汪范金石廖贾夏付方白邹熊秦邱江冉向牟况',
  ...'陈刘李张王杨黄周罗谭向冉熊秦唐',
];

export const GIVEN = [
  ...'明华建国军平志勇强伟海波涛斌杰磊刚超鹏辉俊峰林松柏德昌福贵春秋丽芳敏静红霞燕玲娟英兰秀琴萍梅莉洪川渝江',
  ...'文武成光荣兴旺永祥家庆宏远东晓云霞雪小玉凤桂芬碧珍淑',
];

/** A plausible but fake full name: surname + one or two given-name characters. */
export function fakeName(rng: Prng): string {
  const surname = rng.pick(SURNAMES);
  const first = rng.pick(GIVEN);
  if (rng.next() < 0.35) {
    return surname + first;
  }
  let second = rng.pick(GIVEN);
  while (second === first) {
    second = rng.pick(GIVEN);
  }
  return surname + first + second;
}

/** "王某" — how vulnerable residents are labelled (minimal data). */
export function anonymousName(rng: Prng): string {
  return `${rng.pick(SURNAMES)}某`;
}

/** Micro place names for zones (湾, 垭, 沟 …); SYNTHETIC. */
export const PLACE_NAMES = [
  '大湾',
  '岩口',
  '槽房',
  '堰塘湾',
  '坪上',
  '沟头',
  '石板沟',
  '老屋基',
  '凉风垭',
  '庙坡',
  '竹林湾',
  '桐子坪',
  '黄泥坎',
  '青杠林',
  '马鞍山',
  '水井湾',
  '烂田沟',
  '岩脚',
  '龙洞湾',
  '团堡',
  '白岩',
  '干田坝',
  '花果山',
  '柏树湾',
];

export const FOREST_NAMES = ['青杠林', '松林坡', '柏树林', '杉木林', '竹海', '马尾松林', '香樟林'];

export const STREET_NAMES = ['老街', '新街', '滨河路', '龙城大道', '人民路', '解放路', '中心街', '迎宾大道'];

/**
 * A fake 11-digit mobile in the 170/171 virtual-operator ranges, derived from `key`; collisions with
 * numbers already in `taken` are resolved by stepping on, so the result is deterministic given the order.
 */
export function fakeMobile(key: string, taken: Set<string>): string {
  const h = createHash('sha1').update(`mobile:${key}`, 'utf8').digest();
  const prefix = h[0] & 1 ? '171' : '170';
  let n = h.readUInt32BE(1) % 100_000_000;
  let number = `${prefix}${String(n).padStart(8, '0')}`;
  while (taken.has(number)) {
    n = (n + 7919) % 100_000_000;
    number = `${prefix}${String(n).padStart(8, '0')}`;
  }
  taken.add(number);
  return number;
}
