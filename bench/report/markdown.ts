import type { Results, StepResult } from './results';

// The results as markdown: the README table (raw limits beside the hub, ratios, targets) and
// the detail tables (fixed rates, holds, embedded, AOF, targets, what is null and why).

const n = (v: number | null | undefined, unit = '') => {
  if (v === null || v === undefined) return '—';
  const s = Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 100) / 100);
  return unit ? `${s} ${unit}` : s;
};
const mark = (pass: boolean | null | undefined) =>
  pass === null || pass === undefined ? '—' : pass ? '✅ pass' : '❌ fail';

export function summaryTable(r: Results): string {
  const t = (id: string) => r.targets.find((x) => x.id === id);
  const ratio = (k: string) => n(r.ratios[k] ?? null);
  const rows: string[][] = [
    ['figure', 'raw limit (this machine, same run)', 'hub', 'ratio', 'target', 'result'],
    [
      'webhook acknowledgements',
      `bare node:http ${n(r.raw.httpRps, 'req/s')}`,
      n(r.hub.webhookAckRps, 'req/s'),
      ratio('webhookAckRps_over_httpRps'),
      '≥ 0.2',
      mark(t('webhook-acks')?.pass),
    ],
    [
      'ack p99 at 1,000 req/s',
      `bare node:http ${n(r.raw.httpP99MsAt1000, 'ms')}`,
      n(r.hub.webhookAckP99MsAt1000, 'ms'),
      ratio('webhookAckP99MsAt1000_over_httpP99MsAt1000'),
      '≤ 25 ms',
      mark(t('ack-p99')?.pass),
    ],
    [
      'end to end, highest rate held (p99 < 250 ms)',
      `BullMQ producer+worker ${n(r.raw.bullmqE2eJobsPerSec, 'jobs/s')}`,
      n(r.hub.e2eMaxSustainedRps, 'msg/s'),
      ratio('e2eMaxSustainedRps_over_bullmqE2eJobsPerSec'),
      '≥ 0.1875 (1,500 of 8k)',
      mark(t('e2e-sustained')?.pass),
    ],
    ['end to end p50 at 1,000 msg/s', '', n(r.hub.e2eP50MsAt1000, 'ms'), '', '≤ 15 ms', mark(t('e2e-p50')?.pass)],
    ['end to end p99 at 1,000 msg/s', '', n(r.hub.e2eP99MsAt1000, 'ms'), '', '≤ 100 ms', mark(t('e2e-p99')?.pass)],
    [
      'lost / doubled (all runs)',
      '',
      `${n(r.hub.lost)} / ${n(r.hub.doubled)}`,
      '',
      '0 / 0',
      mark(t('no-loss')?.pass && t('no-doubles')?.pass),
    ],
    [
      'backlog recovery, live traffic on',
      `BullMQ drain ${n(r.raw.bullmqDrainJobsPerSec, 'jobs/s')}`,
      n(r.hub.backlogDrainJobsPerSec, 'jobs/s'),
      ratio('backlogDrainJobsPerSec_over_bullmqDrainJobsPerSec'),
      '≥ 0.5',
      mark(t('backlog-drain')?.pass),
    ],
    [
      'outbound sends (fake enforces the limit, extra 429s)',
      `platform limit ${n(r.hub.outboundPlatformLimitPerSec, 'msg/s')}`,
      r.hub.outboundSendsPerSec === null
        ? '—'
        : `${n(r.hub.outboundSendsPerSec, 'msg/s')} (${n(r.hub.outbound429s)} × 429, ${n(r.hub.outboundDropped)} dropped, ${n(r.hub.outboundDoubled)} doubled)`,
      ratio('outboundSendsPerSec_over_platformLimit'),
      '0.9 – 1.0, no drops',
      mark(t('outbound-rate')?.pass),
    ],
    [
      'fan-out of one event, 1,000 sockets (to the last)',
      `bare Socket.IO ${n(r.raw.socketRoomDeliveryMs, 'ms')} (emit blocks ${n(r.raw.socketRoomEmitMs, 'ms')})`,
      n(r.hub.gatewayFanoutMs1000, 'ms'),
      ratio('gatewayFanoutMs1000_over_socketRoomDeliveryMs'),
      '',
      '',
    ],
    ['fan-out of one event, 5,000 sockets (to the last)', '', n(r.hub.gatewayFanoutMs5000, 'ms'), '', '', ''],
    [
      'gateway memory per socket',
      '',
      r.hub.gatewayBytesPerSocket === null ? '—' : `${n(r.hub.gatewayBytesPerSocket / 1024)} KB`,
      '',
      '',
      '',
    ],
    [
      'embedded mode, highest rate served',
      `scaled ${n(r.hub.e2eMaxSustainedRps, 'msg/s')}`,
      n(r.hub.embeddedMaxSustainedRps, 'msg/s'),
      ratio('embeddedMaxSustainedRps_over_e2eMaxSustainedRps'),
      '',
      '',
    ],
    [
      'AOF (everysec) on the webhook path',
      `acks without AOF ${n(r.aof.webhookAckRpsNoAof, 'req/s')}`,
      `${n(r.aof.webhookAckRps, 'req/s')}, ack p99 at 1,000 ${n(r.aof.webhookAckP99MsAt1000, 'ms')} (without ${n(r.aof.webhookAckP99MsAt1000NoAof, 'ms')})`,
      ratio('aofWebhookAckRps_over_noAof'),
      'measured',
      '',
    ],
    [
      'memory over the 5-minute soak',
      '',
      r.hub.soakRssGrowthPct === null ? '—' : `${n(r.hub.soakRssGrowthPct)} % RSS growth`,
      '',
      '≤ 10 %',
      mark(t('soak')?.pass),
    ],
    ['PostgreSQL, 500-row batches', n(r.raw.pgBatchRowsPerSec, 'rows/s'), '', '', '', ''],
    ['PostgreSQL, single-row inserts, 16 connections', n(r.raw.pgSingleRowInsertsPerSec, 'rows/s'), '', '', '', ''],
    ['Redis stream appends (64 in flight)', n(r.raw.redisStreamAppendsPerSec, '/s'), '', '', '', ''],
  ];
  return table(rows);
}

function table(rows: string[][]): string {
  const [head, ...body] = rows;
  return [
    `| ${head!.join(' | ')} |`,
    `| ${head!.map(() => '---').join(' | ')} |`,
    ...body.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
  ].join('\n');
}

function stepsTable(steps: StepResult[]): string {
  return table([
    [
      'rate (msg/s)',
      'seconds',
      'messages acked',
      'ack p50 / p99 / p999 (ms)',
      'e2e p50 / p99 / max (ms)',
      'backlog max / end',
      'missing',
      'doubled',
      'holds',
    ],
    ...steps.map((s) => [
      String(s.rate),
      String(s.durationMs / 1000),
      String(s.ackedMessages),
      `${n(s.ack.p50)} / ${n(s.ack.p99)} / ${n(s.ack.p999)}`,
      `${n(s.e2e.p50)} / ${n(s.e2e.p99)} / ${n(s.e2e.max)}`,
      `${n(s.backlogMax)} / ${n(s.backlogAtEnd)}`,
      String(s.missing),
      String(s.doubles),
      s.pass ? 'yes' : `no: ${s.why.join('; ')}`,
    ]),
  ]);
}

export function markdownReport(r: Results): string {
  const d = r.details as {
    e2eSteps?: StepResult[];
    sustainedHolds?: StepResult[];
    embedded?: { steps: StepResult[] };
    backlog?: Record<string, unknown>;
  };
  const m = r.machine as Record<string, unknown>;
  const out: string[] = [
    `# Benchmark — ${r.date} (${r.mode} run, ${Math.round(r.durationSec)} s)`,
    '',
    `Machine: ${m['cpuModel']} × ${m['cpus']}, ${m['memGb']} GB RAM, Node ${m['node']}, PostgreSQL ${m['postgres']}, Redis ${m['redis']}; load average at start ${m['loadAvg']}.`,
    '',
    summaryTable(r),
    '',
    '## End to end at fixed rates (scaled layout)',
    '',
    d.e2eSteps?.length ? stepsTable(d.e2eSteps) : '—',
    '',
    '## Highest rate held',
    '',
    d.sustainedHolds?.length ? stepsTable(d.sustainedHolds) : '—',
    '',
    '## Embedded mode',
    '',
    d.embedded?.steps?.length ? stepsTable(d.embedded.steps) : '—',
    '',
    '## Redis AOF cost',
    '',
    table([
      ['', 'no AOF', 'appendonly yes, everysec', 'appendonly yes, always'],
      [
        'BullMQ producer + worker (jobs/s)',
        n(r.raw.bullmqE2eJobsPerSec),
        n(r.aof.bullmqE2eJobsPerSec),
        n(r.aof.bullmqE2eJobsPerSecAlways),
      ],
      [
        'BullMQ drain (jobs/s)',
        n(r.raw.bullmqDrainJobsPerSec),
        n(r.aof.bullmqDrainJobsPerSec),
        n(r.aof.bullmqDrainJobsPerSecAlways),
      ],
      ['Redis stream appends (/s)', n(r.raw.redisStreamAppendsPerSec), n(r.aof.redisStreamAppendsPerSec), '—'],
      ['webhook acks, front door alone (req/s)', n(r.aof.webhookAckRpsNoAof), n(r.aof.webhookAckRps), '—'],
      [
        'webhook ack p99 at 1,000 req/s, front door alone (ms)',
        n(r.aof.webhookAckP99MsAt1000NoAof),
        n(r.aof.webhookAckP99MsAt1000),
        '—',
      ],
    ]),
    '',
    '## Targets',
    '',
    table([
      ['target', 'value', 'line', 'result'],
      ...r.targets.map((t) => [t.description, n(t.value), t.threshold, mark(t.pass)]),
    ]),
    '',
  ];
  const reasons = Object.entries(r.reasons);
  if (reasons.length > 0) {
    out.push('## Figures not measured (null)', '', ...reasons.map(([k, v]) => `- \`${k}\`: ${v}`), '');
  }
  return `${out.join('\n')}\n`;
}
