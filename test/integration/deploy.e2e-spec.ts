import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { ROOT } from '../support/app-process';
import { createTestApp, TestApp } from '../support/test-app';

const DEPLOY = join(ROOT, 'deploy');
const promtoolFound = spawnSync('promtool', ['--version']).status === 0;

/** promtool from Debian's `prometheus` package: CI installs it (.ci/run); elsewhere these checks run where it is installed. */
const withPromtool = promtoolFound || process.env.CI ? it : it.skip;

function promtool(...args: string[]) {
  const run = spawnSync('promtool', args, { cwd: join(DEPLOY, 'prometheus'), encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

interface Panel {
  id: number;
  title: string;
  type: string;
  datasource: { uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets: { refId: string; expr: string; datasource: { uid: string } }[];
}

const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana', 'dashboards', 'recharge.json'), 'utf8')) as { uid: string; title: string; panels: Panel[] };
const alerts = load(readFileSync(join(DEPLOY, 'prometheus', 'alerts.yml'), 'utf8')) as {
  groups: { name: string; rules: { alert: string; expr: string; labels: { severity: string }; annotations: { summary: string; runbook: string } }[] }[];
};
const rules = alerts.groups.flatMap((group) => group.rules);

/** The metric names a PromQL expression reads (histogram series by their family name). */
function metricsOf(expr: string): string[] {
  const words = expr.replace(/"[^"]*"/g, '""').match(/\b[a-z_][a-z0-9_]*\b(?=\s*[{[)\s]|$)/g) ?? [];
  const functionsAndWords = new Set(['sum', 'max', 'min', 'rate', 'increase', 'time', 'absent', 'by', 'or', 'and', 'histogram_quantile', 'clamp_min', 'le', 'job', 'route', 'status_code', 'outcome', 'provider', 'status', 'sink']);
  return [...new Set(words.filter((w) => !functionsAndWords.has(w) && w.includes('_')).map((w) => w.replace(/_(bucket|count|sum)$/, '')))];
}

describe('deploy/: alert rules and the Grafana dashboard', () => {
  withPromtool('the alert rules pass promtool’s check and their unit tests', () => {
    expect(promtool('check', 'rules', 'alerts.yml')).toEqual({ status: 0, output: expect.stringContaining(`SUCCESS: ${rules.length} rules found`) });
    expect(promtool('test', 'rules', 'alerts.test.yml')).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
    expect(promtool('check', 'config', '--syntax-only', 'prometheus.yml')).toMatchObject({ status: 0 });
  });

  it('gives every alert a severity, a summary and a runbook section that docs/operations.md has', () => {
    const operations = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
    const anchors = new Set([...operations.matchAll(/^#{2,4} (.+)$/gm)].map(([, title]) => title.toLowerCase().replace(/[^\w\s-]/g, '').trim().replace(/\s+/g, '-')));
    for (const rule of rules) {
      expect({ alert: rule.alert, severity: rule.labels.severity }).toEqual({ alert: rule.alert, severity: expect.stringMatching(/^(critical|warning)$/) });
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
      const [file, anchor] = rule.annotations.runbook.split('#');
      expect({ alert: rule.alert, file, anchor: anchors.has(anchor) }).toEqual({ alert: rule.alert, file: 'docs/operations.md', anchor: true });
    }
    expect(rules.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining(['LedgerAuditViolation', 'RefundStuck', 'DuplicatePayment', 'ReconcileFailing', 'DatabaseUnavailable', 'WebhookErrors']),
    );
  });

  it('has a dashboard of well-formed panels on the provisioned Prometheus', () => {
    const datasources = load(readFileSync(join(DEPLOY, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8')) as { datasources: { uid: string }[] };
    const uid = datasources.datasources[0].uid;
    expect(dashboard).toMatchObject({ uid: expect.any(String), title: expect.any(String) });
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    for (const panel of dashboard.panels) {
      expect({ title: panel.title, datasource: panel.datasource.uid }).toEqual({ title: expect.stringMatching(/\w/), datasource: uid });
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const target of panel.targets) expect({ panel: panel.title, expr: target.expr.length > 0, uid: target.datasource.uid }).toEqual({ panel: panel.title, expr: true, uid });
    }
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const topic of ['payments per minute', 'success ratio', 'latency', 'refunds', 'admin', 'ledger audit', 'job lag', 'cache', 'database']) {
      expect(titles).toContain(topic);
    }
  });

  describe('against the app’s own /metrics', () => {
    let t: TestApp;
    // With Redis, as in production: the cache's fallback gauge exists only then.
    const redisUrl = process.env.TEST_REDIS_URL;
    beforeAll(async () => {
      t = await createTestApp(redisUrl ? { REDIS_URL: redisUrl } : {});
    });
    afterAll(() => t.close());

    it('reads only metrics the app exports, in alerts and dashboard alike', async () => {
      const exported = new Set([...(await t.http.get('/metrics').expect(200)).text.matchAll(/^# TYPE (\S+) /gm)].map(([, name]) => name));
      const read = [...rules.map((rule) => rule.expr), ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr))].flatMap(metricsOf);
      expect(read.length).toBeGreaterThan(10);
      const onlyWithRedis = redisUrl ? [] : ['cache_fallback_active'];
      expect([...new Set(read)].filter((name) => !exported.has(name) && !onlyWithRedis.includes(name))).toEqual([]);
    });
  });
});
