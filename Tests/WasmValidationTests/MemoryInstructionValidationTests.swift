import Testing
import WasmSyntax
@testable import WasmValidation

@Suite("Memory instructions")
struct MemoryInstructionValidationTests {
    static func withMemory(_ types: [MemoryType] = [MemoryType(limits: Limits(min: 1))]) -> Module {
        var module = Module()
        module.memories = types
        return module
    }

    func load(_ opcode: Opcode, align: UInt32, offset: UInt64 = 0, memory: UInt32 = 0) -> Instruction {
        op(opcode, .memarg(MemArg(align: align, offset: offset, memory: memory)))
    }

    @Test func accessesNeedAMemory() {
        #expect(bodyError([i32(0), load(.i32Load, align: 2), op(.drop)]) == "unknown memory 0")
        #expect(bodyError([op(.memorySize, .index(0)), op(.drop)]) == "unknown memory 0")
        #expect(bodyError([i32(0), load(.i32Load, align: 2), op(.drop)], in: Self.withMemory()) == nil)
        #expect(bodyError([i32(0), load(.i32Load, align: 2, memory: 1), op(.drop)], in: Self.withMemory()) == "unknown memory 1")
    }

    @Test func alignmentMustNotExceedTheNaturalAlignment() {
        let m = Self.withMemory()
        #expect(bodyError([i32(0), load(.i64Load, align: 3), op(.drop)], in: m) == nil)
        #expect(bodyError([i32(0), load(.i64Load, align: 4), op(.drop)], in: m) == "alignment must not be larger than natural")
        #expect(bodyError([i32(0), load(.i64Load8U, align: 1), op(.drop)], in: m) == "alignment must not be larger than natural")
        #expect(bodyError([i32(0), i32(1), load(.i32Store16, align: 1)], in: m) == nil)
        #expect(bodyError([i32(0), i32(1), load(.i32Store16, align: 2)], in: m) == "alignment must not be larger than natural")
        #expect(bodyError([i32(0), load(.v128Load, align: 4), op(.drop)], in: m) == nil)
        #expect(bodyError([i32(0), load(.v128Load, align: 5), op(.drop)], in: m) == "alignment must not be larger than natural")
        #expect(bodyError([i32(0), load(.v128Load32Splat, align: 3), op(.drop)], in: m) == "alignment must not be larger than natural")
        #expect(bodyError([i32(0), load(.i32Load, align: 63), op(.drop)], in: m) == "alignment must not be larger than natural")
    }

    @Test func offsetsMustFitTheAddressType() {
        let m32 = Self.withMemory()
        #expect(bodyError([i32(0), load(.i32Load, align: 0, offset: 0xFFFF_FFFF), op(.drop)], in: m32) == nil)
        #expect(bodyError([i32(0), load(.i32Load, align: 0, offset: 0x1_0000_0000), op(.drop)], in: m32) == "offset out of range")
        let m64 = Self.withMemory([MemoryType(limits: Limits(min: 1, addressType: .i64))])
        #expect(bodyError([i64(0), load(.i32Load, align: 0, offset: 0x1_0000_0000), op(.drop)], in: m64) == nil)
        #expect(bodyError([i32(0), load(.i32Load, align: 0), op(.drop)], in: m64)
                == "type mismatch: instruction requires [i64] but stack has [i32]")
    }

    @Test func storesTakeAnAddressAndAValue() {
        let m = Self.withMemory()
        #expect(bodyError([i32(0), f32(1), load(.f32Store, align: 2)], in: m) == nil)
        #expect(bodyError([i32(0), f64(1), load(.f32Store, align: 2)], in: m)
                == "type mismatch: instruction requires [f32] but stack has [f64]")
    }

    @Test func laneAccesses() {
        let m = Self.withMemory()
        let v = op(.v128Const, .v128(.zero))
        let lane = { (o: Opcode, l: UInt8) in op(o, .memargLane(MemArg(align: 0), lane: l)) }
        #expect(bodyError([i32(0), v, lane(.v128Load8Lane, 15), op(.drop)], in: m) == nil)
        #expect(bodyError([i32(0), v, lane(.v128Load8Lane, 16), op(.drop)], in: m) == "invalid lane index")
        #expect(bodyError([i32(0), v, lane(.v128Store64Lane, 1)], in: m) == nil)
        #expect(bodyError([i32(0), v, lane(.v128Store64Lane, 2)], in: m) == "invalid lane index")
    }

    @Test func sizeGrowFillCopy() {
        let m = Self.withMemory([MemoryType(limits: Limits(min: 1)), MemoryType(limits: Limits(min: 1, addressType: .i64))])
        #expect(bodyError([op(.memorySize, .index(1))], results: [.i64], in: m) == nil)
        #expect(bodyError([i64(1), op(.memoryGrow, .index(1))], results: [.i64], in: m) == nil)
        #expect(bodyError([i32(1), op(.memoryGrow, .index(1))], results: [.i64], in: m)
                == "type mismatch: instruction requires [i64] but stack has [i32]")
        #expect(bodyError([i64(0), i32(0), i64(1), op(.memoryFill, .index(1))], in: m) == nil)
        // Copying from a 64-bit to a 32-bit memory counts with i32.
        #expect(bodyError([i32(0), i64(0), i32(1), op(.memoryCopy, .indexPair(0, 1))], in: m) == nil)
        #expect(bodyError([i64(0), i64(0), i64(1), op(.memoryCopy, .indexPair(1, 1))], in: m) == nil)
        #expect(bodyError([i32(0), i64(0), i64(1), op(.memoryCopy, .indexPair(0, 1))], in: m)
                == "type mismatch: instruction requires [i32] but stack has [i64]")
    }

    @Test func multipleMemoriesNeedTheFeature() {
        let m = Self.withMemory([MemoryType(limits: Limits(min: 1)), MemoryType(limits: Limits(min: 1))])
        #expect(moduleError(m, features: .all) == nil)
        #expect(moduleError(m, features: .wasm2) == "multiple memories")
    }

    @Test func dataSegmentsNeedTheDataCountSection() {
        var m = Self.withMemory()
        m.datas = [DataSegment(mode: .passive, bytes: [1]), DataSegment(mode: .passive, bytes: [2])]
        let initCode = [i32(0), i32(0), i32(1), op(.memoryInit, .indexPair(1, 0))]
        #expect(bodyError(initCode, in: m) == "data count section required")
        var withoutCount = m
        withoutCount.addFunction(initCode)
        #expect(isMalformed(withoutCount))

        m.dataCount = 2
        #expect(bodyError(initCode, in: m) == nil)
        #expect(bodyError([i32(0), i32(0), i32(1), op(.memoryInit, .indexPair(2, 0))], in: m) == "unknown data segment 2")
        #expect(bodyError([local(.dataDrop, 1)], in: m) == nil)
        #expect(bodyError([local(.dataDrop, 2)], in: m) == "unknown data segment 2")
        var noMemory = m
        noMemory.memories = []
        #expect(bodyError(initCode, in: noMemory) == "unknown memory 0")
    }
}
