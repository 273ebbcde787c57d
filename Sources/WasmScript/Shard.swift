/// One of N parts of a suite (`--shard I/N`), so CI jobs can split a run
/// and `wasmcheck merge-reports` can put it back together.
///
/// The split is deterministic and needs no coordination: scripts are sorted
/// by suite name (then path) and dealt round-robin, so every job computes
/// the same partition from the same checkout, each script lands in exactly
/// one shard, and big neighbouring scripts (`simd_*`) spread across shards.
public struct Shard: Hashable, Sendable, CustomStringConvertible {
    /// 1-based, as people and CI matrices count.
    public var index: Int
    public var count: Int

    public init?(index: Int, count: Int) {
        guard count >= 1, index >= 1, index <= count else { return nil }
        self.index = index
        self.count = count
    }

    /// Parses `I/N` (1 <= I <= N).
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else { return nil }
        self.init(index: i, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    /// The scripts of this shard, in their sorted order.
    public func select(_ files: [SuiteFile]) -> [SuiteFile] {
        let sorted = files.sorted { ($0.name, $0.path) < ($1.name, $1.path) }
        return sorted.enumerated().filter { $0.offset % count == index - 1 }.map(\.element)
    }
}
