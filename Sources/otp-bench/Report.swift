import Foundation

/// The table, the ratios and the closing line.
struct Report {
    let options: BenchOptions
    var passThrough: RunResult?
    var passThroughPaced: RunResult?
    var provider: RunResult?
    var providerPaced: RunResult?
    var saturated: RunResult?
    var cpu: RunResult?
    var paced: RunResult?
    /// The worker's VmHWM, max over every worker run (all repeats), kB.
    var workerPeakKilobytes: Int?
    /// The fraud guard off and on, pair by pair (`--scenarios g`).
    var guardPairs: [GuardPair] = []
    /// Scenarios (2) and (3) with traces off and on (`--scenarios t`).
    var traces: TracesComparison?

    func print() {
        defer { printGuardPairs() }
        let rows = [passThrough, passThroughPaced, provider, providerPaced, saturated, cpu, paced].compactMap { $0 }
        Swift.print("")
        Swift.print(pad("run", 34) + lpad("req/s", 8) + lpad("p50 ms", 9) + lpad("p99 ms", 9) + lpad("max ms", 9)
            + lpad("wkr µs/req", 12) + lpad("wkr cores", 10) + lpad("cs/req", 7) + lpad("idle", 7) + lpad("RSS warm", 9) + lpad("VmHWM MB", 10) + lpad("bench cores", 12) + lpad("in req/s", 10))
        for row in rows {
            Swift.print(pad(row.name, 34) + lpad(format(row.throughput, 0), 8)
                + lpad(format(row.percentile(0.5), 1), 9) + lpad(format(row.percentile(0.99), 1), 9) + lpad(format(row.maxMilliseconds, 1), 9)
                + lpad(row.cpuPerRequest.map { format($0.microsecondsValue, 1) } ?? "-", 12)
                + lpad(row.workerCores.map { format($0, 2) } ?? "-", 10)
                + lpad(row.contextSwitchesPerRequest.map { format($0, 1) } ?? "-", 7)
                + lpad(row.workerIdleCores.map { format($0, 2) } ?? "-", 7)
                + lpad(row.warmResidentKilobytes.map { format(Double($0) / 1024, 1) } ?? "-", 9)
                + lpad(row.peakResidentKilobytes.map { format(Double($0) / 1024, 1) } ?? "-", 10)
                + lpad(format(row.benchCores, 2), 12)
                + lpad(row.produceRate > 0 ? format(row.produceRate, 0) : "-", 10))
            if !row.latencies.isEmpty {
                let over = row.latencies.count - row.latencies.partitioningIndex { $0 >= 80_000_000 }
                Swift.print("    latency ms: p90 \(format(row.percentile(0.9), 1)), p99.9 \(format(row.percentile(0.999), 1)); \(over) of \(row.latencies.count) at or over 80 ms")
            }
            for note in row.notes { Swift.print("    " + note) }
        }
        Swift.print("")
        let ceiling = options.slotCeiling
        Swift.print("slot ceiling: \(options.inFlight) in flight / \(options.latencyMilliseconds) ms = \(format(ceiling, 0)) req/s")
        if let provider { Swift.print("provider direct / slot ceiling = \(format(provider.throughput / ceiling, 3))") }
        if let saturated {
            Swift.print("(1) worker / slot ceiling = \(format(saturated.throughput / ceiling, 3))   (target ≥ 0.85)")
            if let provider { Swift.print("(1) worker / provider direct = \(format(saturated.throughput / provider.throughput, 3))") }
            if let passThrough { Swift.print("(1) worker / Kafka pass-through = \(format(saturated.throughput / passThrough.throughput, 3))") }
        }
        if let cpu {
            Swift.print("(2) worker CPU per request at 0 ms = \(cpu.cpuPerRequest.map { format($0.microsecondsValue, 1) } ?? "-") µs   (target ≤ 100)")
            if let passThrough { Swift.print("(2) worker / Kafka pass-through = \(format(cpu.throughput / passThrough.throughput, 3))") }
        }
        if let paced {
            Swift.print("(3) p99 at \(options.pacedRate)/s paced = \(format(paced.percentile(0.99), 1)) ms   (target < 80)")
            if let passThroughPaced {
                Swift.print("(3) floor: Kafka pass-through p99 at the same pace + \(options.latencyMilliseconds) ms = \(format(passThroughPaced.percentile(0.99) + Double(options.latencyMilliseconds), 1)) ms")
            }
            if let providerPaced {
                Swift.print("(3) provider path alone at the same pace: p50 \(format(providerPaced.percentile(0.5), 1)) ms, p99 \(format(providerPaced.percentile(0.99), 1)) ms")
            }
        }
        if let traces { printTraces(traces) }
        let peak = workerPeakKilobytes
        if let peak { Swift.print("(4) worker peak RSS (VmHWM, max over the worker runs) = \(format(Double(peak) / 1024, 1)) MB   (target < 64)") }
        Swift.print("")
        let slots = saturated.map { format($0.throughput / ceiling, 3) } ?? "nan"
        let cpuMicros = cpu?.cpuPerRequest.map { format($0.microsecondsValue, 1) } ?? "nan"
        let p99 = paced.map { format($0.percentile(0.99), 1) } ?? "nan"
        let rss = peak.map { format(Double($0) / 1024, 1) } ?? "nan"
        Swift.print("slots_ratio=\(slots) cpu_us_per_request=\(cpuMicros) p99_paced_ms=\(p99) peak_rss_mb=\(rss)")
    }
}

extension Report {
    /// The traces comparison: every run's figure, the medians, and on over off.
    func printTraces(_ traces: TracesComparison) {
        func cpu(_ run: RunResult) -> Double { run.cpuPerRequest?.microsecondsValue ?? .nan }
        func p99(_ run: RunResult) -> Double { run.percentile(0.99) }
        func rss(_ run: RunResult) -> Double { run.peakResidentKilobytes.map { Double($0) / 1024 } ?? .nan }
        func median(_ values: [Double]) -> Double {
            let sorted = values.filter { !$0.isNaN }.sorted()
            return sorted.isEmpty ? .nan : sorted[(sorted.count - 1) / 2]
        }
        func row(_ label: String, _ off: [Double], _ on: [Double], _ decimals: Int) {
            let (medianOff, medianOn) = (median(off), median(on))
            Swift.print(pad(label, 30) + lpad(format(medianOff, decimals), 11) + lpad(format(medianOn, decimals), 11)
                + lpad(format(medianOn - medianOff, decimals), 9) + lpad(format((medianOn / medianOff - 1) * 100, 1) + " %", 9)
                + "   off: " + off.map { format($0, decimals) }.joined(separator: ", ") + "; on: " + on.map { format($0, decimals) }.joined(separator: ", "))
        }
        Swift.print("traces off vs on, alternating, \(max(traces.cpuOff.count, traces.cpuOn.count)) round(s); medians:")
        Swift.print(pad("", 30) + lpad("off", 11) + lpad("on", 11) + lpad("on-off", 9) + lpad("on/off", 9) + "   every run")
        row("(2) worker µs/req, 0 ms", traces.cpuOff.map(cpu), traces.cpuOn.map(cpu), 1)
        row("(2) req/s, 0 ms", traces.cpuOff.map(\.throughput), traces.cpuOn.map(\.throughput), 0)
        row("(3) p99 ms, \(options.pacedRate)/s paced", traces.pacedOff.map(p99), traces.pacedOn.map(p99), 1)
        row("(3) p50 ms, \(options.pacedRate)/s paced", traces.pacedOff.map { $0.percentile(0.5) }, traces.pacedOn.map { $0.percentile(0.5) }, 1)
        row("(3) worker µs/req, paced", traces.pacedOff.map(cpu), traces.pacedOn.map(cpu), 1)
        row("VmHWM MB, (2) and (3)", (traces.cpuOff + traces.pacedOff).map(rss), (traces.cpuOn + traces.pacedOn).map(rss), 1)
        Swift.print("trace sink: \(traces.sink.spans) spans in \(traces.sink.posts) posts, \(traces.sink.bytes / 1024) KB")
        for run in traces.cpuOn + traces.pacedOn {
            for note in run.notes where note.hasPrefix("traces:") { Swift.print("    \(run.name): \(note)") }
        }
    }
}

func format(_ value: Double, _ decimals: Int) -> String {
    value.isFinite ? String(format: "%.\(decimals)f", value) : "nan"
}
func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
func lpad(_ text: String, _ width: Int) -> String { text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text }

extension Array where Element == UInt64 {
    /// The first index whose element satisfies `predicate`, for a sorted array and a monotone predicate.
    func partitioningIndex(where predicate: (UInt64) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

extension Report {
    /// The guard's cost: each pair's figures and on/off ratios, then the median ratios.
    func printGuardPairs() {
        guard !guardPairs.isEmpty else { return }
        Swift.print("")
        Swift.print("fraud guard off vs on (defaults: 5/10m per number, 0.2/1h/30 conversion), alternating, pair by pair:")
        Swift.print(pad("pair", 6) + lpad("off µs/req", 12) + lpad("on µs/req", 11) + lpad("ratio", 7)
            + lpad("off p99 ms", 12) + lpad("on p99 ms", 11) + lpad("ratio", 7)
            + lpad("idle off", 10) + lpad("idle on", 9) + lpad("cs off", 8) + lpad("cs on", 7))
        var cpuRatios: [Double] = []
        var p99Ratios: [Double] = []
        for (index, pair) in guardPairs.enumerated() {
            let cpuRatio = pair.on.cpu / pair.off.cpu
            let p99Ratio = pair.on.p99 / pair.off.p99
            cpuRatios.append(cpuRatio)
            p99Ratios.append(p99Ratio)
            Swift.print(pad("\(index + 1)", 6) + lpad(format(pair.off.cpu, 1), 12) + lpad(format(pair.on.cpu, 1), 11) + lpad(format(cpuRatio, 3), 7)
                + lpad(format(pair.off.p99, 1), 12) + lpad(format(pair.on.p99, 1), 11) + lpad(format(p99Ratio, 3), 7)
                + lpad(format(pair.off.idle, 3), 10) + lpad(format(pair.on.idle, 3), 9)
                + lpad(format(pair.off.switches, 1), 8) + lpad(format(pair.on.switches, 1), 7))
        }
        let median = { (values: [Double]) -> Double in values.sorted()[(values.count - 1) / 2] }
        Swift.print("median ratio on/off: CPU per request \(format(median(cpuRatios), 3)), p99 \(format(median(p99Ratios), 3))")
    }
}
