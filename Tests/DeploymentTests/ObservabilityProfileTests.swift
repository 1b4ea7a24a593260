import Foundation
import Testing
import Yams

/// `docker compose --profile observability up` adds Prometheus, scraping every worker replica
/// and loading the alerting rules, and Grafana with the dashboard and its data source; plain
/// `docker compose up` starts neither.
@Suite struct ObservabilityProfileTests {
    static let profileServices = ["prometheus", "grafana"]

    @Test func theProfileHasPrometheusAndGrafanaAndNothingElse() throws {
        let services = try DeploymentFiles.composeServices()
        for (name, service) in services {
            let profiles = service["profiles"] as? [String] ?? []
            if Self.profileServices.contains(name) {
                #expect(profiles == ["observability"], "\(name) belongs to the observability profile")
            } else {
                #expect(profiles.isEmpty, "\(name) must start without a profile")
            }
        }
        #expect((services["prometheus"]?["image"] as? String)?.hasPrefix("prom/prometheus:") == true)
        #expect((services["grafana"]?["image"] as? String)?.hasPrefix("grafana/grafana:") == true)
    }

    @Test func everyMountedFileExists() throws {
        let services = try DeploymentFiles.composeServices()
        var mounts: [String: String] = [:]
        for name in Self.profileServices {
            for volume in try #require(services[name]?["volumes"] as? [String], "\(name) mounts its configuration") {
                let parts = volume.split(separator: ":").map(String.init)
                let host = parts[0]
                #expect(host.hasPrefix("./"), "\(volume) mounts a file of this repository")
                let path = DeploymentFiles.root.appendingPathComponent(String(host.dropFirst(2))).path
                #expect(FileManager.default.fileExists(atPath: path), "\(volume): \(host) is missing")
                mounts[parts[1]] = host
            }
        }
        #expect(mounts["/etc/prometheus/prometheus.yml"] == "./deploy/prometheus/prometheus.yml")
        #expect(mounts["/etc/prometheus/otp-worker-alerts.yml"] == "./deploy/prometheus/otp-worker-alerts.yml")
        #expect(mounts["/etc/grafana/provisioning"] == "./deploy/grafana/provisioning")
        #expect(mounts["/var/lib/grafana/dashboards/otp-worker.json"] == "./deploy/grafana/otp-worker.json")
    }

    @Test func prometheusFindsEveryReplicaByDNS() throws {
        let config = try Yams.load(yaml: try DeploymentFiles.text("deploy/prometheus/prometheus.yml")) as? [String: Any]
        #expect(config?["rule_files"] as? [String] == ["otp-worker-alerts.yml"])
        let jobs = config?["scrape_configs"] as? [[String: Any]] ?? []
        let job = try #require(jobs.first { $0["job_name"] as? String == "otp-worker" }, "the alerts' up{job=\"otp-worker\"} needs this job")
        let discovery = try #require((job["dns_sd_configs"] as? [[String: Any]])?.first)
        #expect(discovery["names"] as? [String] == ["otp-worker"])
        #expect(discovery["type"] as? String == "A")
        #expect(discovery["port"] as? Int == 9464)
        let result = try Promtool.run(["check", "config", "prometheus.yml"], in: DeploymentFiles.root.appendingPathComponent("deploy/prometheus"))
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func grafanaIsProvisionedWithPrometheusAndTheDashboard() throws {
        let datasources = try Yams.load(yaml: try DeploymentFiles.text("deploy/grafana/provisioning/datasources/prometheus.yml")) as? [String: Any]
        let datasource = try #require((datasources?["datasources"] as? [[String: Any]])?.first)
        #expect(datasource["type"] as? String == "prometheus")
        #expect(datasource["url"] as? String == "http://prometheus:9090")
        let dashboards = try Yams.load(yaml: try DeploymentFiles.text("deploy/grafana/provisioning/dashboards/otp-worker.yml")) as? [String: Any]
        let provider = try #require((dashboards?["providers"] as? [[String: Any]])?.first)
        #expect((provider["options"] as? [String: Any])?["path"] as? String == "/var/lib/grafana/dashboards")
    }

    @Test func theDashboardHasAPrometheusDatasourceVariable() throws {
        let data = try Data(contentsOf: DeploymentFiles.root.appendingPathComponent("deploy/grafana/otp-worker.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((dashboard["schemaVersion"] as? Int ?? 0) >= 36)
        let variables = (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        #expect(variables.contains { $0["name"] as? String == "datasource" && $0["type"] as? String == "datasource" && $0["query"] as? String == "prometheus" })
        for panel in dashboard["panels"] as? [[String: Any]] ?? [] {
            let source = panel["datasource"] as? [String: Any]
            #expect(source?["uid"] as? String == "${datasource}", "panel \(panel["title"] ?? "?") uses the variable")
        }
    }
}
