/// When `replay` reports its progress: every `records` records or every `interval`, whichever
/// comes first. A fast read of a large range then shows steady progress, and a slow one
/// (a republish waiting for acknowledgements) still shows it once a second.
struct ReplayProgress: Sendable {
    let records: Int
    let interval: Duration
    private var lastCount = 0
    private var lastTime: ContinuousClock.Instant

    /// Starts counting at `now`.
    init(records: Int = 5_000, interval: Duration = .seconds(1), now: ContinuousClock.Instant = .now) {
        precondition(records > 0, "a report every N records, N at least 1")
        self.records = records
        self.interval = interval
        lastTime = now
    }

    /// Whether to report now that `read` records are done; a report restarts both counts.
    mutating func shouldReport(read: Int, now: ContinuousClock.Instant) -> Bool {
        guard read - lastCount >= records || now - lastTime >= interval else { return false }
        lastCount = read
        lastTime = now
        return true
    }
}
