// The ops kit's wiring, checked without Docker (which cannot run here or in CI): every YAML file
// parses, every image is pinned, every file the compose stack mounts exists, and the pieces name
// each other the same way (the metrics token, the services' hosts, Grafana's data source and
// dashboard folder). What Prometheus and the panels compute is checked by the promtool tests and
// tests/e2e/ops-dashboard.spec.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DASHBOARD, dashboardPanels, OPS, readYaml } from '../support/ops-kit'

type Service = {
  image?: string
  environment?: Record<string, string>
  volumes?: string[]
  depends_on?: string[] | Record<string, unknown>
}
const compose = readYaml(path.join(OPS, 'compose.yml')) as { services: Record<string, Service> }
const services = compose.services

function yamlUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return yamlUnder(full)
    return /\.ya?ml$/.test(entry.name) ? [full] : []
  })
}

/** [host path relative to ops/, path in the container] for each bind mount of a service. */
const bindMounts = (service: Service) =>
  (service.volumes ?? [])
    .map((volume) => volume.split(':'))
    .filter(([source]) => source!.startsWith('.'))
    .map(([source, target]) => [source!, target!] as const)

describe('ops kit files', () => {
  it('every YAML file parses', () => {
    const files = yamlUnder(OPS)
    expect(files.length).toBeGreaterThanOrEqual(8)
    for (const file of files) expect(() => readYaml(file), file).not.toThrow()
  })

  it('every image is pinned to a version, never latest', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, name).toMatch(/^[\w./-]+:v?\d+(\.\d+)+[\w.-]*$/)
    }
  })

  it('every file or folder the stack mounts exists', () => {
    const mounts = Object.values(services).flatMap(bindMounts)
    expect(mounts.length).toBeGreaterThan(5)
    for (const [source] of mounts) expect(existsSync(path.join(OPS, source)), source).toBe(true)
  })

  it('every service named in depends_on exists', () => {
    for (const [name, service] of Object.entries(services)) {
      const needs = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {})
      for (const need of needs) expect(Object.keys(services), `${name} needs ${need}`).toContain(need)
    }
  })
})

describe('the pieces name each other the same way', () => {
  const prometheusConfig = readYaml(path.join(OPS, 'prometheus', 'prometheus.yml')) as {
    rule_files: string[]
    scrape_configs: {
      job_name: string
      metrics_path: string
      authorization: { credentials: string }
      static_configs: { targets: string[] }[]
    }[]
  }
  const scrape = prometheusConfig.scrape_configs[0]!

  it('Prometheus scrapes the app with the token the app expects, under the job the alerts name', () => {
    expect(scrape.authorization.credentials).toBe(services.app!.environment!.METRICS_TOKEN)
    expect(scrape.metrics_path).toBe('/api/metrics')
    expect(scrape.static_configs[0]!.targets).toEqual(['app:3000'])
    expect(scrape.job_name).toBe('signalbox') // the rules select up{job="signalbox"}
  })

  it("Prometheus's rules folder is mounted where its config looks for it", () => {
    const [source, target] = bindMounts(services.prometheus!).find(([, target]) => target.endsWith('/rules'))!
    expect(source).toBe('./prometheus/rules')
    expect(prometheusConfig.rule_files).toEqual([`${path.basename(target)}/*.yml`])
  })

  it('spans go app → collector → Jaeger', () => {
    expect(services.app!.environment!.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector:4318')
    const collector = readYaml(path.join(OPS, 'otel-collector.yml')) as {
      receivers: { otlp: { protocols: { http: { endpoint: string } } } }
      exporters: Record<string, { endpoint: string }>
      service: { pipelines: { traces: { exporters: string[] } } }
    }
    expect(collector.receivers.otlp.protocols.http.endpoint).toMatch(/:4318$/)
    const exporter = collector.exporters[collector.service.pipelines.traces.exporters[0]!]!
    expect(exporter.endpoint.split(':')[0]).toBe('jaeger')
  })

  it("Grafana's data source is the one every panel names, and its dashboards folder is mounted", () => {
    const datasources = readYaml(path.join(OPS, 'grafana', 'provisioning', 'datasources', 'prometheus.yml')) as {
      datasources: { uid: string; url: string }[]
    }
    const { uid, url } = datasources.datasources[0]!
    expect(url).toBe('http://prometheus:9090')
    const panels = dashboardPanels()
    expect(panels.length).toBeGreaterThanOrEqual(8)
    for (const panel of panels) {
      expect((panel as { datasource?: { uid: string } }).datasource?.uid, panel.title).toBe(uid)
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0)
    }
    const providers = readYaml(path.join(OPS, 'grafana', 'provisioning', 'dashboards', 'signalbox.yml')) as {
      providers: { options: { path: string } }[]
    }
    const mounted = bindMounts(services.grafana!).find(([source]) => source === './grafana/dashboards')
    expect(mounted?.[1].replace(/:ro$/, '')).toBe(providers.providers[0]!.options.path)
    expect(existsSync(DASHBOARD)).toBe(true)
    expect(JSON.parse(readFileSync(DASHBOARD, 'utf8')).uid).toBe('signalbox')
  })
})
