import Testing

@testable import OTPWorker

@Suite("Replay's progress: every 5,000 records or each second, whichever comes first")
struct ReplayProgressTests {
    @Test("a fast read reports every 5,000 records, well within a second")
    func byRecords() {
        let start = ContinuousClock.now
        var progress = ReplayProgress(now: start)
        var reports: [Int] = []
        for read in 1...12_000 where progress.shouldReport(read: read, now: start + .microseconds(read)) {
            reports.append(read)
        }
        #expect(reports == [5_000, 10_000])
    }

    @Test("a slow read reports each second, and a report restarts the record count")
    func byTime() {
        let start = ContinuousClock.now
        var progress = ReplayProgress(now: start)
        let early = progress.shouldReport(read: 10, now: start + .milliseconds(999))
        let second = progress.shouldReport(read: 11, now: start + .seconds(1))
        let notYet = progress.shouldReport(read: 5_010, now: start + .milliseconds(1_500))
        let byCount = progress.shouldReport(read: 5_011, now: start + .milliseconds(1_600))
        let nextSecond = progress.shouldReport(read: 5_012, now: start + .milliseconds(2_600))
        #expect(!early && second)
        #expect(!notYet, "5,000 since the start, not since the last report")
        #expect(byCount && nextSecond)
    }
}
