import Foundation
import Synchronization
import Testing
@testable import stexplain

/// The manifest loader: items in order, never more than `depth` ahead, errors where they occur.
@Suite struct PrefetchTests {
    final class Counter: Sendable {
        let loaded = Atomic<Int>(0)
    }

    @Test func deliversInOrderAndStaysWithinItsDepth() throws {
        let counter = Counter()
        let prefetch = Prefetch(count: 6, depth: 2) { index -> Int in
            counter.loaded.add(1, ordering: .relaxed)
            return index * 10
        }
        defer { prefetch.cancel() }
        var seen: [Int] = []
        for consumed in 0..<6 {
            usleep(20_000)  // the loader has had time to run ahead as far as it may
            #expect(counter.loaded.load(ordering: .relaxed) <= min(consumed + 2, 6))
            seen.append(try prefetch.next())
        }
        #expect(seen == [0, 10, 20, 30, 40, 50])
    }

    struct Unreadable: Error, Equatable { let index: Int }

    @Test func rethrowsTheFailedItemsErrorInItsPlace() throws {
        let prefetch = Prefetch(count: 4, depth: 3) { index -> Int in
            if index == 2 { throw Unreadable(index: 2) }
            return index
        }
        defer { prefetch.cancel() }
        #expect(try prefetch.next() == 0)
        #expect(try prefetch.next() == 1)
        #expect(throws: Unreadable(index: 2)) { try prefetch.next() }
        #expect(try prefetch.next() == 3)
    }
}
