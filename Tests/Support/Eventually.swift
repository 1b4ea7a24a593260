import Testing

/// Polls `condition` until it holds or `timeout` passes: a bounded wait on a condition, never a
/// sleep standing in for one. Records an issue naming `what` and throws ``TimedOut`` on time-out.
public func eventually(
    timeout: Duration = .seconds(20), _ what: String = "the condition",
    sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    // One last look: the condition may have turned true during the final sleep.
    if try await condition() { return }
    Issue.record("timed out after \(timeout) waiting for: \(what)", sourceLocation: sourceLocation)
    throw TimedOut(what: what)
}

/// A bounded wait that ended without its condition.
public struct TimedOut: Error, CustomStringConvertible {
    /// What was waited for.
    public var what: String

    public init(what: String) { self.what = what }

    public var description: String { "timed out waiting for: \(what)" }
}

/// Runs `body` and throws ``TimedOut`` if it takes longer than `timeout` (the body is cancelled).
public func withTimeout<T: Sendable>(
    _ timeout: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        guard let first = try await group.next(), let value = first else {
            group.cancelAll()
            throw TimedOut(what: what)
        }
        group.cancelAll()
        return value
    }
}
