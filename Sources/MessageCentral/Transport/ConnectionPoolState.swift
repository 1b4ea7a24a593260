/// The connection pool's bookkeeping as a state machine: each event goes in through one
/// mutating method, which returns the ``Action`` the caller performs. No I/O, no clock
/// reads, no locks: ``ConnectionPool`` holds it behind its lock and performs the actions
/// outside it, and tests drive it with plain ids and instants of their own.
///
/// Invariants:
/// - at most `maximumConnections` connections are busy, idle or being opened;
/// - idle connections are reused last-in first-out, so the bottom of the stack is the
///   oldest and ages out: one sweep timer, due at the bottom one's idle timeout, closes it;
/// - a waiter is queued only when no idle connection and no place is free, so idle
///   connections and queued waiters never exist together;
/// - waiters are answered oldest first, each exactly once.
///
/// `Connection` and `Waiter` are the caller's handles: the state only stores and compares
/// them.
struct ConnectionPoolState<Connection: Hashable, Waiter: Hashable> {
    typealias Instant = ContinuousClock.Instant

    fileprivate struct IdleConnection {
        var connection: Connection
        var since: Instant
    }

    let maximumConnections: Int
    let idleTimeout: Duration
    /// Connections handed to a waiter and not yet released.
    private var busy: Set<Connection> = []
    /// Idle connections, the most recently released last.
    private var idle: [IdleConnection] = []
    /// Places granted for connections still being opened.
    private var connecting = 0
    /// Waiters queued for a connection or a place, the oldest first.
    private var waiters: [Waiter] = []
    /// When the scheduled idle sweep is due; nil when none is scheduled.
    private(set) var idleSweepDeadline: Instant?
    private(set) var isShutDown = false

    init(maximumConnections: Int, idleTimeout: Duration) {
        self.maximumConnections = max(1, maximumConnections)
        self.idleTimeout = idleTimeout
    }

    /// Connections open or being opened, busy or idle.
    var connectionCount: Int { busy.count + idle.count + connecting }

    /// Waiters queued, in the order they are answered.
    var queuedWaiters: [Waiter] { waiters }

    // MARK: - Requests

    /// A waiter asks for a connection: the most recently released idle one still under its
    /// idle timeout, else a place to open one, else a place in the queue until `deadline`.
    /// Idle connections found past their timeout on the way are closed.
    mutating func request(_ waiter: Waiter, deadline: Instant, now: Instant) -> Action {
        guard !isShutDown else { return Action(waiter: .answer(waiter, .failed(.shutDown))) }
        var expired: [Connection] = []
        while let top = idle.popLast() {
            guard now - top.since < idleTimeout else {
                expired.append(top.connection)
                continue
            }
            busy.insert(top.connection)
            return Action(waiter: .answer(waiter, .connection(top.connection, reused: true)), close: expired)
        }
        if connectionCount < maximumConnections {
            connecting += 1
            return Action(waiter: .answer(waiter, .connect), close: expired)
        }
        waiters.append(waiter)
        return Action(waiter: .wait(waiter, deadline: deadline), close: expired)
    }

    /// A queued waiter's task was cancelled: it leaves the queue and fails with `cancelled`.
    /// Nothing happens for a waiter already answered.
    mutating func waiterCancelled(_ waiter: Waiter) -> Action {
        withdraw(waiter, with: .cancelled)
    }

    /// A timer came due. A waiter's deadline fails it with `timedOut` if it is still queued;
    /// the idle sweep closes the idle connections past their timeout and schedules itself
    /// again for the oldest one left.
    mutating func timerFired(_ timer: Timer, now: Instant) -> Action {
        switch timer {
        case .deadline(let waiter):
            return withdraw(waiter, with: .timedOut)
        case .idleSweep:
            idleSweepDeadline = nil
            return Action(close: expireIdle(now: now), idleTimer: scheduleIdleSweep())
        }
    }

    // MARK: - Opening connections

    /// The connection a waiter opened in its granted place is up: it is the waiter's, or
    /// closed when the pool shut down meanwhile (the waiter fails with `shutDown`).
    mutating func connectionEstablished(_ connection: Connection, for waiter: Waiter) -> Action {
        assert(connecting > 0, "a connection established without a granted place")
        connecting -= 1
        guard !isShutDown else { return Action(waiter: .answer(waiter, .failed(.shutDown)), close: [connection]) }
        busy.insert(connection)
        return Action(waiter: .answer(waiter, .connection(connection, reused: false)))
    }

    /// A connection could not be opened. The waiter that tried fails with its own error, not
    /// retried (its deadline and the error are its caller's to judge); the freed place goes to
    /// the oldest queued waiter, which opens a connection of its own.
    mutating func connectFailed() -> Action {
        assert(connecting > 0, "a connect failed without a granted place")
        connecting -= 1
        return Action(waiter: grantPlace())
    }

    // MARK: - Releasing and losing connections

    /// A waiter is done with its connection. A reusable one goes to the oldest queued waiter,
    /// else onto the idle stack (closing the idle connections past their timeout at the
    /// bottom); one that is not reusable is closed, and its place goes to the oldest waiter.
    /// A connection the pool no longer counts (shutdown) is closed.
    mutating func connectionReleased(_ connection: Connection, reusable: Bool, now: Instant) -> Action {
        guard reusable else {
            var action = Action(close: [connection])
            if busy.remove(connection) != nil || removeIdle(connection) { action.waiter = grantPlace() }
            return action
        }
        guard !isShutDown, busy.contains(connection) else { return Action(close: [connection]) }
        if !waiters.isEmpty {
            return Action(waiter: .answer(waiters.removeFirst(), .connection(connection, reused: true)))
        }
        busy.remove(connection)
        idle.append(IdleConnection(connection: connection, since: now))
        return Action(close: expireIdle(now: now), idleTimer: scheduleIdleSweep())
    }

    /// A connection closed by itself (the provider closed it). An idle one leaves the pool and
    /// its place goes to the oldest waiter; a busy one stays counted until its waiter
    /// releases it, having seen the failure.
    mutating func connectionClosed(_ connection: Connection) -> Action {
        guard removeIdle(connection) else { return .nothing }
        return Action(waiter: grantPlace())
    }

    // MARK: - Shutdown

    /// Fails every queued waiter and closes every connection, busy ones included; later
    /// requests fail with `shutDown`. Connections still being opened are closed when they
    /// are established.
    mutating func shutdown() -> Action {
        isShutDown = true
        var action = Action(close: Array(busy) + idle.reversed().map(\.connection))
        if !waiters.isEmpty { action.waiter = .failAll(waiters, .shutDown) }
        if idleSweepDeadline != nil { action.idleTimer = .cancel }
        busy = []
        idle = []
        waiters = []
        idleSweepDeadline = nil
        return action
    }

    // MARK: - Helpers

    private mutating func withdraw(_ waiter: Waiter, with error: TransportError) -> Action {
        guard let index = waiters.firstIndex(of: waiter) else { return .nothing }
        waiters.remove(at: index)
        return Action(waiter: .answer(waiter, .failed(error)))
    }

    /// A freed place goes to the oldest waiter, which opens a connection of its own.
    private mutating func grantPlace() -> WaiterAction {
        guard !isShutDown, !waiters.isEmpty, connectionCount < maximumConnections else { return .none }
        connecting += 1
        return .answer(waiters.removeFirst(), .connect)
    }

    private mutating func removeIdle(_ connection: Connection) -> Bool {
        guard let index = idle.firstIndex(where: { $0.connection == connection }) else { return false }
        idle.remove(at: index)
        return true
    }

    /// Takes the idle connections past their timeout off the bottom of the stack, where
    /// requests never reach them.
    private mutating func expireIdle(now: Instant) -> [Connection] {
        let count = idle.prefix { now - $0.since >= idleTimeout }.count
        guard count > 0 else { return [] }
        defer { idle.removeFirst(count) }
        return idle.prefix(count).map(\.connection)
    }

    /// Schedules the sweep for the oldest idle connection, unless one is scheduled already
    /// (it reschedules itself when it comes due).
    private mutating func scheduleIdleSweep() -> IdleTimerAction {
        guard !isShutDown, idleSweepDeadline == nil, let oldest = idle.first else { return .none }
        let due = oldest.since + idleTimeout
        idleSweepDeadline = due
        return .schedule(at: due)
    }
}

extension ConnectionPoolState: Sendable where Connection: Sendable, Waiter: Sendable {}
extension ConnectionPoolState.IdleConnection: Sendable where Connection: Sendable {}
