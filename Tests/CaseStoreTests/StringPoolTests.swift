import Foundation
import Testing
@testable import CaseStore

/// Room made for many more strings than the table holds (a deferred column of 70,000 proposers
/// interned into a pool of a few): the table grows by more than one doubling at once. It read the
/// old table past its end and copied what lay there as slots (a crash, signal 11, at the first
/// question on proposers of 70,000 cases).
@Test func reservingFarBeyondTheTableKeepsItSound() {
    for (first, more) in [(0, 100_000), (5, 70_000), (300, 3), (1_000, 40_000)] {
        let pool = StringPool()
        for i in 0..<first { pool.intern("人\(i)") }
        pool.reserve(more: more, byteCount: more * 8)
        #expect(pool.tableIsSound(), "after reserving \(more) beside \(first)")
        for i in 0..<(first + more) { pool.intern("人\(i)") }
        #expect(pool.count == first + more + 1)
        #expect(pool.tableIsSound())
        for i in stride(from: 0, to: first + more, by: 97) { #expect(pool.lookup("人\(i)") == UInt32(i + 1)) }
        #expect(pool.lookup("无此人") == nil)
    }
}
