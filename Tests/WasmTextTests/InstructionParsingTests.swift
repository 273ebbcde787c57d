import Testing
import WasmSyntax
import WasmText

@Suite struct InstructionParsingTests {
    private func expectBody(function: Int = 0, _ wat: String, _ expected: [Instruction],
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try body(wat, function: function) == encodedBody(expected), sourceLocation: sourceLocation)
    }

    @Test func foldedOperandsComeFirst() throws {
        try expectBody("(func (result i32) (i32.add (i32.const 1) (i32.mul (i32.const 2) (i32.const 3))))", [
            Instruction(.i32Const, .i32(1)), Instruction(.i32Const, .i32(2)), Instruction(.i32Const, .i32(3)),
            Instruction(.i32Mul), Instruction(.i32Add),
        ])
        #expect(try body("(func i32.const 1 i32.const 2 i32.add drop)") == body("(func (drop (i32.add (i32.const 1) (i32.const 2))))"))
    }

    @Test func blocksLabelsAndDepths() throws {
        try expectBody("""
            (func (block $outer (loop $inner (br_if $outer (i32.const 0)) (br $inner) (br 1)))
                  block $b (result i32) i32.const 1 br $b end $b drop)
            """, [
            Instruction(.block, .block(.empty)), Instruction(.loop, .block(.empty)),
            Instruction(.i32Const, .i32(0)), Instruction(.brIf, .index(1)), Instruction(.br, .index(0)),
            Instruction(.br, .index(1)), Instruction(.end), Instruction(.end),
            Instruction(.block, .block(.value(.i32))), Instruction(.i32Const, .i32(1)), Instruction(.br, .index(0)),
            Instruction(.end), Instruction(.drop),
        ])
        // A label shadows an outer one of the same name.
        try expectBody("(func (block $l (block $l (br $l))))", [
            Instruction(.block, .block(.empty)), Instruction(.block, .block(.empty)), Instruction(.br, .index(0)),
            Instruction(.end), Instruction(.end),
        ])
        #expect(parseError("(func block $a end $b)") == "mismatching label")
        #expect(parseError("(func block end $l)") == "mismatching label")
        #expect(parseError("(func (br $nowhere))") == "unknown label $nowhere")
    }

    @Test func ifFoldedAndFlat() throws {
        let expected = [
            Instruction(.i32Const, .i32(1)), Instruction(.if, .block(.value(.i32))), Instruction(.i32Const, .i32(2)),
            Instruction(.else), Instruction(.i32Const, .i32(3)), Instruction(.end), Instruction(.drop),
        ]
        try expectBody("(func (if (result i32) (i32.const 1) (then (i32.const 2)) (else (i32.const 3))) drop)", expected)
        try expectBody("(func i32.const 1 if $l (result i32) i32.const 2 else $l i32.const 3 end $l drop)", expected)
        #expect(parseError("(func (if (i32.const 0)))") == "unexpected token")
    }

    @Test func blockTypesWithParamsUseTypeIndices() throws {
        let m = try parse("(type $t (func (param i32) (result i32))) (func (param i32) (block (param i32) (result i32)) (loop (type $t)) (drop))")
        #expect(Array(m.functions[0].body) == encodedBody([
            Instruction(.block, .block(.typeIndex(0))), Instruction(.end),
            Instruction(.loop, .block(.typeIndex(0))), Instruction(.end), Instruction(.drop),
        ]))
        #expect(parseError("(func (block (param $x i32)))") == "unexpected token")
    }

    @Test func tryTableAndCatchClauses() throws {
        try expectBody("""
            (tag $e (param i32))
            (func (block $h (result i32 exnref)
              (try_table (result i32) (catch $e 0) (catch_ref $e $h) (catch_all 0) (catch_all_ref $h)
                (throw $e (i32.const 1))) drop drop))
            """, [
            Instruction(.block, .block(.typeIndex(2))),
            Instruction(.tryTable, .tryTable(.value(.i32), [.catch(tag: 0, label: 0), .catchRef(tag: 0, label: 0),
                                                            .catchAll(label: 0), .catchAllRef(label: 0)])),
            Instruction(.i32Const, .i32(1)), Instruction(.throw, .index(0)), Instruction(.end),
            Instruction(.drop), Instruction(.drop), Instruction(.end),
        ])
    }

    @Test func legacyTryCatchAndDelegate() throws {
        let expected = [
            Instruction(.try, .block(.empty)), Instruction(.try, .block(.empty)), Instruction(.throw, .index(0)),
            Instruction(.catch, .index(0)), Instruction(.rethrow, .index(0)), Instruction(.catchAll), Instruction(.end),
            Instruction(.try, .block(.empty)), Instruction(.nop), Instruction(.delegate, .index(0)),
            Instruction(.end),
        ]
        try expectBody("""
            (tag $e) (func (try $o (do (try (do (throw $e)) (catch $e (rethrow 0)) (catch_all))
                                      (try (do nop) (delegate $o)))))
            """, expected)
        try expectBody("""
            (tag $e) (func try $o try throw $e catch $e rethrow 0 catch_all end try nop delegate $o end)
            """, expected)
        #expect(parseError("(tag $e) (func (try (do) (catch $e) (delegate 0)))") == "unexpected token")
    }

    @Test func memoryImmediates() throws {
        try expectBody("""
            (memory 1) (memory $m 1)
            (func (drop (i32.load offset=4 align=2 (i32.const 0))) (drop (i64.load8_s $m (i32.const 0)))
                  (drop (f64.load 1 offset=0x10 (i32.const 0))) (drop (memory.size $m)) (memory.copy $m 0 (i32.const 0) (i32.const 0) (i32.const 0)))
            """, [
            Instruction(.i32Const, .i32(0)), Instruction(.i32Load, .memarg(MemArg(align: 1, offset: 4))), Instruction(.drop),
            Instruction(.i32Const, .i32(0)), Instruction(.i64Load8S, .memarg(MemArg(align: 0, memory: 1))), Instruction(.drop),
            Instruction(.i32Const, .i32(0)), Instruction(.f64Load, .memarg(MemArg(align: 3, offset: 16, memory: 1))), Instruction(.drop),
            Instruction(.memorySize, .index(1)), Instruction(.drop),
            Instruction(.i32Const, .i32(0)), Instruction(.i32Const, .i32(0)), Instruction(.i32Const, .i32(0)),
            Instruction(.memoryCopy, .indexPair(1, 0)),
        ])
        #expect(parseError("(memory 1) (func (drop (i32.load align=3 (i32.const 0))))") == "alignment must be a power of two")
        #expect(parseError("(memory 1) (func (drop (i32.load offset=-1 (i32.const 0))))") == "unknown operator offset=-1")
        // The offset is a u64; too large for a 32-bit memory is for validation.
        #expect(parseError("(memory 1) (func (drop (i32.load offset=4294967296 (i32.const 0))))") == nil)
    }

    @Test func vectorConstantsAndLanes() throws {
        let m = try parse("""
            (memory 1)
            (func (param v128) (result v128)
              (drop (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1))
              (drop (v128.const i16x8 0 1 2 3 4 5 6 0xffff))
              (drop (v128.const f32x4 1 -0 inf nan))
              (drop (v128.const i64x2 -1 0x0102030405060708))
              (drop (i8x16.extract_lane_u 15 (local.get 0)))
              (drop (v128.load8_lane 1 (i32.const 0) (local.get 0)))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 (local.get 0) (local.get 0)))
            """)
        var expected: [Instruction] = []
        expected.append(Instruction(.v128Const, .v128(V128(bytes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 255]))))
        expected.append(Instruction(.drop))
        expected.append(Instruction(.v128Const, .v128(V128(bytes: [0, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 255, 255]))))
        expected.append(Instruction(.drop))
        expected.append(Instruction(.v128Const, .v128(V128(lo: 0x8000_0000_3F80_0000, hi: 0x7FC0_0000_7F80_0000))))
        expected.append(Instruction(.drop))
        expected.append(Instruction(.v128Const, .v128(V128(lo: .max, hi: 0x0102_0304_0506_0708))))
        expected.append(Instruction(.drop))
        expected += [Instruction(.localGet, .index(0)), Instruction(.i8x16ExtractLaneU, .lane(15)), Instruction(.drop)]
        expected += [Instruction(.i32Const, .i32(0)), Instruction(.localGet, .index(0)),
                     Instruction(.v128Load8Lane, .memargLane(MemArg(align: 0), lane: 1)), Instruction(.drop)]
        expected += [Instruction(.localGet, .index(0)), Instruction(.localGet, .index(0)),
                     Instruction(.i8x16Shuffle, .v128(V128(bytes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 31])))]
        #expect(Array(m.functions[0].body) == encodedBody(expected))
        #expect(parseError("(func (v128.const i32x4 1 2 3) drop)") == "wrong number of lane literals")
        #expect(parseError("(func (v128.const i8x16 256 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0) drop)") == "constant out of range")
        #expect(parseError("(func (i8x16.shuffle 0 1 2))") == "invalid lane length")
        #expect(parseError("(func (i8x16.extract_lane_s 256 (v128.const i64x2 0 0)))") == "i8 constant out of range")
    }

    @Test func numericConstantRanges() throws {
        try expectBody("(func (i32.const 0xffff_ffff) (i64.const -9223372036854775808) (f32.const -0x1p-1) (f64.const nan:0x1) drop drop drop drop)", [
            Instruction(.i32Const, .i32(-1)), Instruction(.i64Const, .i64(.min)),
            Instruction(.f32Const, .f32(0xBF00_0000)), Instruction(.f64Const, .f64(0x7FF0_0000_0000_0001)),
            Instruction(.drop), Instruction(.drop), Instruction(.drop), Instruction(.drop),
        ])
        #expect(parseError("(func (i32.const 0x1_0000_0000) drop)") == "constant out of range")
        #expect(parseError("(func (f32.const 1e40) drop)") == "constant out of range")
        #expect(parseError("(func (i32.const 1x) drop)") == "unknown operator 1x")
        #expect(parseError("(func (i32.const nan:arithmetic) drop)") == "unexpected token")
    }

    @Test func typedSelectAndReferenceInstructions() throws {
        try expectBody("""
            (type $t (struct (field $x i32) (field $y (mut i64))))
            (func $f (param anyref)
              (drop (select (result i32) (i32.const 1) (i32.const 2) (i32.const 0)))
              (drop (select (i32.const 1) (i32.const 2) (i32.const 0)))
              (drop (ref.test (ref null $t) (local.get 0)))
              (drop (ref.cast (ref $t) (local.get 0)))
              (drop (ref.cast i31ref (local.get 0)))
              (drop (struct.get $t $y (ref.null $t)))
              (drop (ref.func $f)))
            (elem declare func $f)
            """, [
            Instruction(.i32Const, .i32(1)), Instruction(.i32Const, .i32(2)), Instruction(.i32Const, .i32(0)),
            Instruction(.selectTyped, .valueTypes([.i32])), Instruction(.drop),
            Instruction(.i32Const, .i32(1)), Instruction(.i32Const, .i32(2)), Instruction(.i32Const, .i32(0)),
            Instruction(.select), Instruction(.drop),
            Instruction(.localGet, .index(0)), Instruction(.refTestNull, .heapType(.concrete(0))), Instruction(.drop),
            Instruction(.localGet, .index(0)), Instruction(.refCast, .heapType(.concrete(0))), Instruction(.drop),
            Instruction(.localGet, .index(0)), Instruction(.refCastNull, .heapType(.i31)), Instruction(.drop),
            Instruction(.refNull, .heapType(.concrete(0))), Instruction(.structGet, .indexPair(0, 1)), Instruction(.drop),
            Instruction(.refFunc, .index(0)), Instruction(.drop),
        ])
        #expect(parseError("(type $t (struct)) (func (struct.get $t $z (ref.null $t)) drop)") == "unknown field $z")
        #expect(parseError("(func (select_typed))")?.hasPrefix("unknown operator") == true)
    }

    @Test func brOnCastAndCalls() throws {
        try expectBody(function: 1, """
            (type $ft (func)) (table $tab 1 funcref) (func $f)
            (func (param anyref)
              (block $l (result anyref) (br_on_cast $l anyref (ref i31) (local.get 0)) drop (local.get 0))
              drop
              (call_indirect $tab (type $ft) (i32.const 0))
              (return_call_indirect (i32.const 0)))
            """, [
            Instruction(.block, .block(.value(.anyref))), Instruction(.localGet, .index(0)),
            Instruction(.brOnCast, .brOnCast(label: 0, from: .anyref, to: RefType(nullable: false, heapType: .i31))),
            Instruction(.drop), Instruction(.localGet, .index(0)), Instruction(.end), Instruction(.drop),
            Instruction(.i32Const, .i32(0)), Instruction(.callIndirect, .indexPair(0, 0)),
            Instruction(.i32Const, .i32(0)), Instruction(.returnCallIndirect, .indexPair(0, 0)),
        ])
    }

    @Test func bulkAndTableInstructions() throws {
        try expectBody("""
            (table $a 1 funcref) (table $b 1 funcref) (elem $e func)
            (type $arr (array i8)) (data $d "")
            (func (table.init $b $e (i32.const 0) (i32.const 0) (i32.const 0)) (table.copy $a $b (i32.const 0) (i32.const 0) (i32.const 0))
                  (drop (table.size $b)) (drop (array.new_data $arr $d (i32.const 0) (i32.const 0))))
            """, [
            Instruction(.i32Const, .i32(0)), Instruction(.i32Const, .i32(0)), Instruction(.i32Const, .i32(0)),
            Instruction(.tableInit, .indexPair(0, 1)),
            Instruction(.i32Const, .i32(0)), Instruction(.i32Const, .i32(0)), Instruction(.i32Const, .i32(0)),
            Instruction(.tableCopy, .indexPair(0, 1)),
            Instruction(.tableSize, .index(1)), Instruction(.drop),
            Instruction(.i32Const, .i32(0)), Instruction(.i32Const, .i32(0)), Instruction(.arrayNewData, .indexPair(0, 0)),
            Instruction(.drop),
        ])
    }

    @Test func atomicInstructionsEncodeWithTheirPrefix() throws {
        let bytes = try body("(memory 1 1 shared) (func (drop (i32.atomic.rmw.add offset=8 (i32.const 0) (i32.const 1))) (atomic.fence))")
        // i32.const 0, i32.const 1, 0xFE 0x1E align=2 offset=8, drop, 0xFE 0x03 0x00, end
        #expect(bytes == [0x41, 0x00, 0x41, 0x01, 0xFE, 0x1E, 0x02, 0x08, 0x1A, 0xFE, 0x03, 0x00, 0x0B])
    }

    @Test func unknownAndMisplacedWords() {
        #expect(parseError("(func (get_local 0))") == "unknown operator get_local")
        #expect(parseError("(func (nop) (local i32))") == "unexpected token")
        #expect(parseError("(func (i32.const0))") == "unknown operator i32.const0")
        #expect(parseError("(func br 0drop)") == "unknown operator 0drop")
        #expect(parseError("(func (catch_all))") == "unexpected token")
    }

    /// Nesting is parsed without recursion: depth costs no stack, and a
    /// limit bounds the memory.
    @Test func deepNestingNeedsNoStack() {
        let fine = String(repeating: "(block ", count: 20_000) + String(repeating: ")", count: 20_000)
        #expect(parseError("(func \(fine))") == nil)
        let deep = String(repeating: "(block ", count: 100_001) + String(repeating: ")", count: 100_001)
        #expect(parseError("(func \(deep))") == "nesting too deep")
        let flat = String(repeating: "block ", count: 100_001) + String(repeating: "end ", count: 100_001)
        #expect(parseError("(func \(flat))") == "nesting too deep")
    }
}
