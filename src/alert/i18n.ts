/**
 * Every fixed text of the alert and test mails, in English and Traditional
 * Chinese (`email.language`). PCE-supplied strings are never translated.
 */
import type { Severity } from '../types.js';

export type Language = 'en' | 'zh-TW';

export interface Strings {
  alerts(n: number): string;
  subjectTail(severity: string, rule: string, host: string | undefined): string;
  severity: Record<Severity, string>;
  heading: string;
  intro(n: number): string;
  rule: string;
  severityCol: string;
  count: string;
  countVsThreshold(count: string, threshold: string, minutes: number): string;
  window: string;
  firstSeen: string;
  lastSeen: string;
  topTalkers: string;
  topSources: string;
  source: string;
  destination: string;
  service: string;
  connections: string;
  events: string;
  noTalkers: string;
  samples: string;
  noSamples: string;
  openExplorer: string;
  openEvents: string;
  openHealth: string;
  details: string;
  /** An alert with matches the rule's cooldown held back. */
  heldBack(minutes: number, since: string, count: string): string;
  csvAll(n: number, file: string): string;
  csvCapped(cap: number, n: number, file: string): string;
  /** Event alerts whose window count includes matches read by earlier runs. */
  csvThisRun(n: number, file: string): string;
  csvEarlier(earlier: number, count: number): string;
  coverage: string;
  rangeRead: string;
  eventsFetched: string;
  flowsAnalysed: string;
  flowsOf(n: string, m: string): string;
  rulesEvaluated: string;
  suppressed: string;
  incomplete: string;
  timesIn(zone: string): string;
  sentBy(host: string, time: string): string;
  testSubject: string;
  testBody(host: string, time: string): string;
}

const en: Strings = {
  alerts: (n) => (n === 1 ? '1 alert' : `${n} alerts`),
  subjectTail: (sev, rule, host) => `${sev} ${rule}${host ? ` on ${host}` : ''}`,
  severity: { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFO' },
  heading: 'Illumio Monitor alert',
  intro: (n) => (n === 1 ? 'One rule crossed its threshold.' : `${n} rules crossed their thresholds.`),
  rule: 'Rule',
  severityCol: 'Severity',
  count: 'Count',
  countVsThreshold: (c, t, m) => `${c} (threshold ${t} in ${m} min)`,
  window: 'Window',
  firstSeen: 'First seen',
  lastSeen: 'Last seen',
  topTalkers: 'Top 5 talkers',
  topSources: 'Top 5 sources',
  source: 'Source',
  destination: 'Destination',
  service: 'Port/Proto',
  connections: 'Connections',
  events: 'Events',
  noTalkers: 'No sources recorded.',
  samples: 'First raw records, as the PCE sent them',
  noSamples: 'No raw records kept.',
  openExplorer: 'Open this window in Explorer',
  openEvents: 'Open this window on the Events page',
  openHealth: 'Open the PCE health page',
  details: 'Details',
  heldBack: (m, since, c) => `Held back by the ${m}-minute cooldown since ${since} (${c} held).`,
  csvAll: (n, f) => (n === 1 ? `The matched record is attached as ${f}.` : `All ${n} matched records are attached as ${f}.`),
  csvCapped: (cap, n, f) => `${f} holds the first ${cap} of ${n} matched records (cap set by email.csvMaxRows).`,
  csvThisRun: (n, f) =>
    n === 1 ? `The matched record read in this run is attached as ${f}.` : `The ${n} matched records read in this run are attached as ${f}.`,
  csvEarlier: (e, c) => `The other ${e} of the ${c} in the window were read by earlier runs: counted and among the talkers, but not attached.`,
  coverage: 'Coverage of this run',
  rangeRead: 'Time range read',
  eventsFetched: 'Events fetched',
  flowsAnalysed: 'Flows analysed',
  flowsOf: (n, m) => `${n} of ${m} (the PCE cut the result)`,
  rulesEvaluated: 'Rules evaluated',
  suppressed: 'Alerts suppressed by cooldown',
  incomplete: 'Incomplete fetch',
  timesIn: (zone) => `Times are shown in ${zone}.`,
  sentBy: (host, time) => `Sent by illumio-monitor on ${host} at ${time}.`,
  testSubject: 'Test message',
  testBody: (host, time) =>
    `This is a test message from illumio-monitor on ${host}, sent at ${time}. If you can read it, alert mail reaches you.`,
};

const zhTW: Strings = {
  alerts: (n) => `${n} 則警示`,
  subjectTail: (sev, rule, host) => `${sev} ${rule}${host ? `（主機 ${host}）` : ''}`,
  severity: { critical: '嚴重', high: '高', medium: '中', low: '低', info: '資訊' },
  heading: 'Illumio 監控警示',
  intro: (n) => `有 ${n} 條規則達到門檻。`,
  rule: '規則',
  severityCol: '嚴重性',
  count: '計數',
  countVsThreshold: (c, t, m) => `${c}（門檻 ${t}，時間窗 ${m} 分鐘）`,
  window: '時間窗',
  firstSeen: '首次出現',
  lastSeen: '最後出現',
  topTalkers: '流量來源前五名',
  topSources: '事件來源前五名',
  source: '來源',
  destination: '目的地',
  service: '連接埠/協定',
  connections: '連線數',
  events: '事件數',
  noTalkers: '沒有來源記錄。',
  samples: '前兩筆原始記錄（PCE 原樣）',
  noSamples: '沒有保留原始記錄。',
  openExplorer: '在 Explorer 中開啟此時間窗',
  openEvents: '在事件頁面中開啟此時間窗',
  openHealth: '開啟 PCE 健康狀態頁面',
  details: '詳細資訊',
  heldBack: (m, since, c) => `自 ${since} 起因 ${m} 分鐘冷卻期而暫緩發送（暫緩 ${c} 筆）。`,
  csvAll: (n, f) => `全部 ${n} 筆符合的記錄附於 ${f}。`,
  csvCapped: (cap, n, f) => `${f} 只包含 ${n} 筆符合記錄中的前 ${cap} 筆（上限由 email.csvMaxRows 設定）。`,
  csvThisRun: (n, f) => `本次執行讀到的 ${n} 筆符合記錄附於 ${f}。`,
  csvEarlier: (e, c) => `時間窗內 ${c} 筆中的其餘 ${e} 筆由先前的執行讀取：已計入計數與來源排名，但未附上。`,
  coverage: '本次執行的涵蓋範圍',
  rangeRead: '讀取的時間範圍',
  eventsFetched: '已擷取的事件',
  flowsAnalysed: '已分析的流量',
  flowsOf: (n, m) => `${n} / ${m}（PCE 截斷了結果）`,
  rulesEvaluated: '已評估的規則',
  suppressed: '因冷卻期而抑制的警示',
  incomplete: '擷取不完整',
  timesIn: (zone) => `時間以 ${zone} 顯示。`,
  sentBy: (host, time) => `由 ${host} 上的 illumio-monitor 於 ${time} 發送。`,
  testSubject: '測試郵件',
  testBody: (host, time) =>
    `這是 ${host} 上的 illumio-monitor 於 ${time} 發送的測試郵件。若您能讀到此信，表示警示郵件可以送達。`,
};

export function strings(language: Language): Strings {
  return language === 'zh-TW' ? zhTW : en;
}
