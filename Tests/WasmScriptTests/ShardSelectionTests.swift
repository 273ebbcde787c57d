import Testing
@testable import WasmScript

/// `--shard I/N`: deterministic, disjoint shards that together cover the
/// suite, whatever order the scripts were found in.
@Suite struct ShardSelectionTests {
    let files = (0..<23).map { SuiteFile(path: "suite/f\($0).wast", name: "f\($0).wast") }

    @Test func shardsPartitionTheSuite() throws {
        for count in 1...5 {
            var seen: [String] = []
            for index in 1...count {
                let shard = try #require(Shard(index: index, count: count))
                let selected = shard.select(files)
                #expect(abs(selected.count - files.count / count) <= 1)
                seen += selected.map(\.name)
            }
            #expect(seen.sorted() == files.map(\.name).sorted())
            #expect(Set(seen).count == files.count)
        }
    }

    @Test func selectionDoesNotDependOnTheInputOrder() throws {
        let shard = try #require(Shard(parsing: "2/3"))
        #expect(shard.select(files) == shard.select(files.reversed()))
        #expect(shard.select(files).map(\.name) == ["f1.wast", "f12.wast", "f15.wast", "f18.wast", "f20.wast", "f3.wast", "f6.wast", "f9.wast"])
    }

    @Test func parsesOnlyValidShards() {
        #expect(Shard(parsing: "1/1") == Shard(index: 1, count: 1))
        #expect(Shard(parsing: "4/4")?.description == "4/4")
        for bad in ["0/4", "5/4", "1/0", "-1/2", "1", "1/2/3", "a/b", "", "/"] {
            #expect(Shard(parsing: bad) == nil, "\(bad)")
        }
    }
}
