import Foundation

/// Items `0..<count` loaded in order on a background thread, at most `depth` ahead of the
/// consumer: a manifest run decodes the next videos (ffmpeg) while the current one is explained,
/// and memory holds no more than `depth` decoded inputs however long the manifest.
///
/// `next()` returns item after item, rethrowing the error loading one of them threw.
/// `cancel()` stops the loader after the item it is working on; call it when stopping early.
final class Prefetch<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var ready: [Int: Result<Element, any Error>] = [:]
    private var consumed = 0
    private var cancelled = false
    private let count: Int

    init(count: Int, depth: Int, load: @escaping @Sendable (Int) throws -> Element) {
        self.count = count
        let depth = max(depth, 1)
        Thread.detachNewThread { [self] in
            for index in 0..<count {
                condition.lock()
                while index - consumed >= depth && !cancelled { condition.wait() }
                let stop = cancelled
                condition.unlock()
                if stop { return }
                let result = Result { try load(index) }
                condition.lock()
                ready[index] = result
                condition.broadcast()
                condition.unlock()
            }
        }
    }

    /// The next item, waiting for the loader when it is not ready yet.
    func next() throws -> Element {
        condition.lock()
        defer { condition.unlock() }
        precondition(consumed < count, "Prefetch.next() called after the last item")
        while ready[consumed] == nil { condition.wait() }
        let result = ready.removeValue(forKey: consumed)!
        consumed += 1
        condition.broadcast()
        return try result.get()
    }

    /// Stops loading ahead.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
