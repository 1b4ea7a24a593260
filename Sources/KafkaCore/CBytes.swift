/// A valid address for empty buffers: C distinguishes "empty" (non-NULL, length 0) from "null".
/// `nonisolated(unsafe)`: allocated once, never written after initialisation, only read by C.
package nonisolated(unsafe) let emptyByte: UnsafeMutableRawPointer = {
    let pointer = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)
    pointer.storeBytes(of: 0, as: UInt8.self)
    return pointer
}()

extension Optional where Wrapped == [UInt8] {
    /// Calls `body` with a pointer and count: NULL for `nil`, a valid pointer for an empty array.
    package func withOptionalBytes<R>(_ body: (UnsafeRawPointer?, Int) -> R) -> R {
        guard let bytes = self else { return body(nil, 0) }
        if bytes.isEmpty { return body(UnsafeRawPointer(emptyByte), 0) }
        return bytes.withUnsafeBytes { body($0.baseAddress, $0.count) }
    }
}

extension String {
    /// Calls `body` with the UTF-8 bytes in place and their count; a valid pointer even when
    /// empty (C tells "empty" from "null" by the pointer).
    package func withNonNullUTF8<R>(_ body: (UnsafeRawPointer, Int) -> R) -> R {
        var string = self
        return string.withUTF8 { body($0.baseAddress.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(emptyByte), $0.count) }
    }
}
