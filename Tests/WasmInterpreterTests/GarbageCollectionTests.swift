import Testing
import WasmBinary
import WasmRuntime
import WasmSyntax
import WasmText

/// The store's garbage collector: unreachable structs, arrays and exceptions
/// are freed, so programs may allocate far more than `maxHeapBytes` in
/// total; whatever a root reaches survives with its contents.
@Suite struct GarbageCollectionTests {
    /// A heap limit of 8 MiB: a "kilobyte" array (1024 i8 elements, one slot
    /// each) takes about 8 KiB, so `churn(1000)` allocates about 8 MiB.
    static func configuration(maxHeapBytes: UInt64 = 8 << 20) -> EngineConfiguration {
        var configuration = EngineConfiguration()
        configuration.maxHeapBytes = maxHeapBytes
        return configuration
    }

    static let module = """
    (module
      (type $bytes (array (mut i8)))
      (type $node (struct (field $v i32) (field $next (ref null $node))))
      (type $refs (array (mut anyref)))
      (import "host" "reenter" (func $reenter (param i32)))
      (import "host" "collect" (func $collect))
      (tag $boxed (param (ref $node)))
      (global $list (export "list") (mut (ref null $node)) (ref.null $node))
      (global $caught (mut exnref) (ref.null exn))
      (table $t 4 anyref)
      (elem $segment anyref (item (struct.new $node (i32.const 99) (ref.null $node))))

      ;; Allocates `n` kilobyte arrays and drops them.
      (func $churn (export "churn") (param $n i32)
        (loop $l
          (if (local.get $n) (then
            (drop (array.new_default $bytes (i32.const 1024)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $l)))))
      (func $churn_i32 (param $n i32) (result i32)
        (call $churn (local.get $n))
        (local.get $n))

      ;; Prepends nodes n, n-1, ..., 1 to $list, with garbage between them.
      (func (export "build") (param $n i32)
        (loop $l
          (if (local.get $n) (then
            (call $churn (i32.const 4))
            (global.set $list (struct.new $node (local.get $n) (global.get $list)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $l)))))
      (func (export "sum_list") (result i32)
        (local $p (ref null $node)) (local $s i32)
        (local.set $p (global.get $list))
        (block $done
          (loop $l
            (br_if $done (ref.is_null (local.get $p)))
            (local.set $s (i32.add (local.get $s) (struct.get $node $v (local.get $p))))
            (local.set $p (struct.get $node $next (local.get $p)))
            (br $l)))
        (local.get $s))

      ;; An array of nodes 0..<n in table slot 0, with garbage between them.
      (func (export "fill_table") (param $n i32)
        (local $a (ref $refs)) (local $i i32)
        (local.set $a (array.new $refs (ref.null any) (local.get $n)))
        (table.set $t (i32.const 0) (local.get $a))
        (loop $l
          (if (i32.lt_u (local.get $i) (local.get $n)) (then
            (call $churn (i32.const 8))
            (array.set $refs (local.get $a) (local.get $i) (struct.new $node (local.get $i) (ref.null $node)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $l)))))
      (func (export "sum_table") (result i32)
        (local $a (ref $refs)) (local $i i32) (local $s i32)
        (local.set $a (ref.cast (ref $refs) (table.get $t (i32.const 0))))
        (loop $l
          (if (i32.lt_u (local.get $i) (array.len (local.get $a))) (then
            (local.set $s (i32.add (local.get $s)
              (struct.get $node $v (ref.cast (ref $node) (array.get $refs (local.get $a) (local.get $i))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $l))))
        (local.get $s))

      ;; A local and an operand survive calls that collect: 1000 + 20 + 3000.
      (func $pair (param (ref $node)) (param i32) (result i32)
        (i32.add (struct.get $node $v (local.get 0)) (local.get 1)))
      (func (export "locals") (result i32)
        (local $a (ref null $node))
        (local.set $a (struct.new $node (i32.const 1000) (ref.null $node)))
        (call $churn (i32.const 3000))
        (call $pair (struct.new $node (i32.const 20) (local.get $a)) (call $churn_i32 (i32.const 3000)))
        (i32.add (struct.get $node $v (ref.as_non_null (local.get $a)))))

      ;; A local survives a host call that runs code that collects.
      (func (export "nested") (result i32)
        (local $a (ref null $node))
        (local.set $a (struct.new $node (i32.const 77) (struct.new $node (i32.const 23) (ref.null $node))))
        (call $reenter (i32.const 3000))
        (i32.add (struct.get $node $v (local.get $a))
                 (struct.get $node $v (struct.get $node $next (local.get $a)))))

      ;; Locals and operands survive a collection the host starts.
      (func (export "host_collects") (result i32)
        (local $a (ref null $node))
        (local.set $a (struct.new $node (i32.const 40) (ref.null $node)))
        (struct.get $node $v (local.get $a))
        (struct.new $node (i32.const 2) (local.get $a))
        (call $collect)
        (call $churn (i32.const 10))
        (call $collect)
        (struct.get $node $v (struct.get $node $next))
        (i32.add)
        (i32.add (struct.get $node $v (local.get $a))))

      ;; An exception kept in a global; its payload is reachable only from it.
      (func (export "throw_and_keep") (param $v i32)
        (global.set $caught
          (block $h (result exnref)
            (try_table (catch_all_ref $h)
              (throw $boxed (struct.new $node (local.get $v) (ref.null $node))))
            (unreachable))))
      (func (export "rethrow_kept") (result i32)
        (struct.get $node $v
          (block $h (result (ref $node))
            (try_table (catch $boxed $h) (throw_ref (global.get $caught)))
            (unreachable))))
      ;; Throws and catches `n` exceptions that carry a kilobyte array each.
      (func (export "throw_loop") (param $n i32) (result i32)
        (local $s i32)
        (loop $l
          (if (local.get $n) (then
            (local.set $s (i32.add (local.get $s)
              (struct.get $node $v
                (block $h (result (ref $node))
                  (try_table (catch $boxed $h)
                    (throw $boxed (struct.new $node (local.get $n)
                      (ref.cast (ref null $node) (ref.null none)))))
                  (unreachable)))))
            (drop (array.new_default $bytes (i32.const 1024)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $l))))
        (local.get $s))

      ;; The passive segment's node.
      (func (export "from_segment") (result i32)
        (struct.get $node $v (ref.cast (ref $node)
          (array.get $refs (array.new_elem $refs $segment (i32.const 0) (i32.const 1)) (i32.const 0)))))

      ;; References the host holds.
      (func (export "make") (param i32) (result (ref $node))
        (struct.new $node (local.get 0) (struct.new $node (i32.const 1) (ref.null $node))))
      (func (export "read") (param (ref null $node)) (result i32)
        (i32.add (struct.get $node $v (local.get 0))
                 (struct.get $node $v (struct.get $node $next (local.get 0)))))
    )
    """

    /// Instantiates `module` in a fresh store whose `host.reenter` calls `churn`.
    static func instantiateWithHost(configuration: EngineConfiguration = configuration()) throws -> Instance {
        let wasm = try compile(module, configuration: configuration)
        let store = Store(engine: wasm.engine)
        final class Box { var instance: Instance? }
        let box = Box()
        let reenter = Function(store: store, type: FuncType(params: [.i32])) { arguments in
            guard let instance = box.instance else { throw TestFailure("no instance") }
            return try instance.call("churn", arguments)
        }
        let collect = Function(store: store, type: FuncType()) { _ in
            store.collectGarbage()
            return []
        }
        var linker = Linker()
        linker.define(module: "host", name: "reenter", .function(reenter))
        linker.define(module: "host", name: "collect", .function(collect))
        let instance = try linker.instantiate(wasm, in: store)
        box.instance = instance
        return instance
    }

    @Test func allocatingFarMoreThanTheHeapLimitFinishes() throws {
        let instance = try Self.instantiateWithHost()
        // 12,800 arrays of about 8 KiB: about 100 MiB through an 8 MiB heap.
        _ = try instance.call("churn", [i32(12_800)])
        let statistics = instance.store.heapStatistics
        #expect(statistics.collections >= 12)
        #expect(statistics.peakBytes <= 8 << 20)
        #expect(statistics.freedBytes >= 90 << 20)
    }

    @Test func manySmallObjectsAreFreed() throws {
        let chained = try instantiate("""
        (module
          (type $pair (struct (field i64) (field (mut anyref))))
          (func (export "run") (param $n i32) (result i64)
            (local $keep (ref $pair))
            (local.set $keep (struct.new $pair (i64.const 0) (struct.new $pair (i64.const 0) (ref.null any))))
            (loop $l
              (if (local.get $n) (then
                (local.set $keep (struct.new $pair (i64.extend_i32_u (local.get $n)) (local.get $keep)))
                (struct.set $pair 1 (ref.cast (ref $pair) (struct.get $pair 1 (local.get $keep))) (ref.null any))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                (br $l))))
            (i64.add (struct.get $pair 0 (local.get $keep))
                     (struct.get $pair 0 (ref.cast (ref $pair) (struct.get $pair 1 (local.get $keep)))))))
        """, configuration: Self.configuration(maxHeapBytes: 2 << 20))
        // 300,000 structs of 40 bytes: 12 MB through a 2 MiB heap; the last
        // two nodes hold 1 and 2.
        #expect(try chained.call("run", [i32(300_000)]) == [.i64(3)])
        #expect(chained.store.heapStatistics.collections >= 5)
        #expect(chained.store.heapStatistics.peakBytes <= 2 << 20)
    }

    @Test func objectsReachableFromGlobalsSurvive() throws {
        let instance = try Self.instantiateWithHost()
        _ = try instance.call("build", [i32(1000)])
        _ = try instance.call("churn", [i32(3000)])
        #expect(try instance.call("sum_list") == [i32(500_500)])
        #expect(instance.store.heapStatistics.collections >= 10)
    }

    @Test func objectsReachableFromTablesAndArraysSurvive() throws {
        let instance = try Self.instantiateWithHost()
        _ = try instance.call("fill_table", [i32(400)])
        _ = try instance.call("churn", [i32(3000)])
        #expect(try instance.call("sum_table") == [i32(79_800)])
        #expect(instance.store.heapStatistics.collections >= 10)
    }

    @Test func localsAndOperandsSurviveCallsThatCollect() throws {
        let instance = try Self.instantiateWithHost()
        #expect(try instance.call("locals") == [i32(4020)])
        #expect(instance.store.heapStatistics.collections >= 10)
    }

    @Test func framesBelowAHostCallSurvive() throws {
        let instance = try Self.instantiateWithHost()
        #expect(try instance.call("nested") == [i32(100)])
        #expect(instance.store.heapStatistics.collections >= 10)
    }

    @Test func framesBelowACollectionByTheHostSurvive() throws {
        let instance = try Self.instantiateWithHost()
        let before = instance.store.heapStatistics.collections
        #expect(try instance.call("host_collects") == [i32(120)])
        #expect(instance.store.heapStatistics.collections == before + 2)
    }

    @Test func exceptionPayloadsSurvive() throws {
        let instance = try Self.instantiateWithHost()
        _ = try instance.call("throw_and_keep", [i32(55)])
        _ = try instance.call("churn", [i32(3000)])
        #expect(try instance.call("rethrow_kept") == [i32(55)])
        _ = try instance.call("churn", [i32(3000)])
        #expect(try instance.call("rethrow_kept") == [i32(55)])
        #expect(instance.store.heapStatistics.collections >= 20)
    }

    @Test func thrownExceptionsAreFreed() throws {
        let instance = try Self.instantiateWithHost()
        // 4000 exceptions and 4000 kilobyte arrays: about 32 MiB.
        #expect(try instance.call("throw_loop", [i32(4000)]) == [i32(8_002_000)])
        let statistics = instance.store.heapStatistics
        #expect(statistics.collections >= 3)
        #expect(statistics.freedObjects >= 8000)
    }

    @Test func passiveSegmentItemsSurvive() throws {
        let instance = try Self.instantiateWithHost()
        _ = try instance.call("churn", [i32(3000)])
        #expect(try instance.call("from_segment") == [i32(99)])
    }

    @Test func referencesHeldByTheHostStayValid() throws {
        let instance = try Self.instantiateWithHost()
        let made = try instance.call("make", [i32(1234)])
        _ = try instance.call("churn", [i32(3000)])
        #expect(try instance.call("read", made) == [i32(1235)])
        // A host-visible global value, read and then unlinked from the global.
        _ = try instance.call("build", [i32(10)])
        let head = try #require(instance.global("list")?.value)
        #expect(instance.global("list")?.set(.ref(.null(.none))) == true)
        _ = try instance.call("churn", [i32(3000)])
        #expect(try instance.call("read", [head]) == [i32(3)])
        #expect(instance.store.heapStatistics.collections >= 20)
    }

    @Test func liveDataBeyondTheLimitStillTraps() throws {
        let instance = try instantiate("""
        (module
          (type $bytes (array (mut i8)))
          (type $chain (struct (field (ref $bytes)) (field (ref null $chain))))
          (global $keep (mut (ref null $chain)) (ref.null $chain))
          (func (export "hoard")
            (loop $l
              (global.set $keep (struct.new $chain (array.new_default $bytes (i32.const 1024)) (global.get $keep)))
              (br $l))))
        """, configuration: Self.configuration(maxHeapBytes: 4 << 20))
        #expect(instance.trap("hoard") == .resourceExhausted)
        #expect(instance.store.heapStatistics.collections >= 1)
    }

    @Test func initialiserValuesSurviveInstantiationInAFullHeap() throws {
        let configuration = Self.configuration()
        let churner = try instantiate("""
        (module
          (type $bytes (array (mut i8)))
          (func (export "churn") (param $n i32)
            (loop $l
              (if (local.get $n) (then
                (drop (array.new_default $bytes (i32.const 1024)))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                (br $l))))))
        """, configuration: configuration)
        let store = churner.store
        // A leaf allocated before a large array in the same initialiser: the
        // array (1.1 MB) is beyond the allocation budget (in the first round
        // at least, where it is 1 MiB), and the leaf is only in a Swift
        // local meanwhile, so a collection then would free it.
        let module = try WasmRuntime.Module(engine: store.engine, bytes: encodeModule(parseModule("""
        (module
          (type $leaf (struct (field i32)))
          (type $big (array i64))
          (type $pair (struct (field (ref $leaf)) (field (ref $big))))
          (global $g (ref $pair)
            (struct.new $pair (struct.new $leaf (i32.const 7)) (array.new_default $big (i32.const 140000))))
          (func (export "leaf") (result i32) (struct.get $leaf 0 (struct.get $pair 0 (global.get $g)))))
        """)))
        for round in 0..<4 {
            _ = try churner.call("churn", [i32(Int32(37 * round))])
            let instance = try Linker().instantiate(module, in: store)
            _ = try churner.call("churn", [i32(300)])
            #expect(try instance.call("leaf") == [i32(7)])
        }
        #expect(store.heapStatistics.collections >= 3)
    }
}
