import Foundation
import Testing
@testable import OTPEvents

@Suite("Event identifiers", .timeLimit(.minutes(1)))
struct EventIDTests {
    @Test("Bits are laid out as a version 4, RFC 4122 variant UUID, lowercase")
    func layout() {
        #expect(EventID.format(high: 0, low: 0) == "00000000-0000-4000-8000-000000000000")
        #expect(EventID.format(high: .max, low: .max) == "ffffffff-ffff-4fff-bfff-ffffffffffff")
        #expect(EventID.format(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210)
            == "01234567-89ab-4def-bedc-ba9876543210")
    }

    @Test("Identifiers parse as UUIDs of version 4 and do not repeat across pool refills")
    func unique() {
        // 2,000 identifiers cross several 256-identifier refills of the pool.
        let ids = (0..<2_000).map { _ in EventID.make() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(300) {
            let uuid = UUID(uuidString: id)
            #expect(uuid != nil, "\(id)")
            #expect(uuid?.uuidString.lowercased() == id)
            let bytes = Array(id.utf8)
            #expect(bytes[14] == UInt8(ascii: "4"))
            #expect([UInt8]("89ab".utf8).contains(bytes[19]))
        }
    }

    @Test("The bytes come from the random device, not the fallback")
    func device() {
        #expect(EventID.fillsFromDevice())
    }

    @Test("Concurrent callers get distinct identifiers")
    func concurrent() async {
        let ids = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { (0..<1_000).map { _ in EventID.make() } } }
            return await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(Set(ids).count == 4_000)
    }
}
