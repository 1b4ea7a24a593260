#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a pthread mutex, in a class so that closures handed to C callbacks can
/// share it.
///
/// Not `Synchronization.Mutex`: on Linux it waits on futexes that ThreadSanitizer does not
/// see, so every value read under it from two threads is reported as a race and real races
/// drown in the noise. ThreadSanitizer intercepts pthread mutexes; uncontended, they cost
/// about the same. Every module of the package may lock with it (the HTTP-side
/// modules also use NIO's `NIOLockedValueBox`, a pthread mutex as well).
package final class Locked<Value: ~Copyable>: @unchecked Sendable {
    // @unchecked: `value` is only touched between `pthread_mutex_lock` and `_unlock`. It sits
    // behind a pointer rather than in a stored `var`: the lock already makes access exclusive,
    // and a class property would add a dynamic exclusivity check to every call.
    // `@usableFromInline` so `withLock` is inlined and specialized in the modules that call it:
    // as a generic call across modules it would look up the metadata of each result type
    // (tuples included) at run time, on every call.
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>
    @usableFromInline let value: UnsafeMutablePointer<Value>

    package init(_ value: consuming sending Value) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let created = pthread_mutex_init(mutex, nil)
        precondition(created == 0, "pthread_mutex_init failed: \(created)")
        self.value = .allocate(capacity: 1)
        self.value.initialize(to: value)
    }

    deinit {
        value.deinitialize(count: 1)
        value.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock. `body` must not block or re-enter.
    @inlinable
    package func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value.pointee)
    }
}
