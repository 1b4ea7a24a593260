/// The system's random numbers, as a generator with a stored property.
///
/// `SystemRandomNumberGenerator` has no stored properties, and ThreadSanitizer's runtime
/// (Swift 6.3, Linux) faults on an `inout` access to such a zero-sized value: passing
/// `&generator` crashes the suite under `--sanitize=thread`. This one is one byte.
package struct SystemRandom: RandomNumberGenerator {
    private var unused: UInt8 = 0

    package init() {}

    package mutating func next() -> UInt64 {
        UInt64.random(in: .min ... .max)
    }
}
