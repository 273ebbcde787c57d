import Testing
import WasmSyntax
@testable import WasmValidation

@Suite("Control instructions")
struct ControlInstructionValidationTests {
    @Test func blocksCheckTheirResults() {
        #expect(bodyError([block(.block, .value(.i32)), i32(1), end], results: [.i32]) == nil)
        #expect(bodyError([block(.block, .value(.i32)), end], results: [.i32])
                == "type mismatch: instruction requires [i32] but stack has []")
        #expect(bodyError([block(.block, .value(.i32)), i64(1), end], results: [.i32])
                == "type mismatch: instruction requires [i32] but stack has [i64]")
        #expect(bodyError([block(.block), i32(1), end])
                == "type mismatch: block requires [] but stack has [i32]")
    }

    @Test func blockTypesFromTheTypeSectionTakeParameters() {
        var module = Module()
        let t = module.addType(FuncType(params: [.i32, .i32], results: [.i64]))
        let code = [i32(1), i32(2), block(.block, .typeIndex(t)), op(.i32Add), op(.i64ExtendI32U), end]
        #expect(bodyError(code, results: [.i64], in: module) == nil)
        #expect(bodyError([i32(1), block(.block, .typeIndex(t)), op(.drop), op(.drop), i64(0), end], results: [.i64], in: module)
                == "type mismatch: instruction requires [i32 i32] but stack has [i32]")
        #expect(bodyError([block(.block, .typeIndex(9)), end], in: module) == "unknown type 9")
        #expect(bodyError(code, results: [.i64], in: module, features: .mvp) != nil)
    }

    @Test func loopLabelsCarryTheParameters() {
        var module = Module()
        let t = module.addType(FuncType(params: [.i32], results: [.i32]))
        #expect(bodyError([i32(0), block(.loop, .typeIndex(t)), local(.br, 0), end], results: [.i32], in: module) == nil)
        #expect(bodyError([block(.loop, .value(.i32)), i32(0), local(.br, 0), end], results: [.i32]) == nil)
        #expect(bodyError([i64(0), block(.loop, .typeIndex(t)), local(.br, 0), end], results: [.i32], in: module)
                == "type mismatch: instruction requires [i32] but stack has [i64]")
        // A branch to a loop carries no value when the loop has no parameters.
        #expect(bodyError([block(.loop, .value(.i32)), i32(0), local(.brIf, 0), i32(1), end], results: [.i32]) == nil)
    }

    @Test func ifWithoutElsePassesItsParametersThrough() {
        var module = Module()
        let same = module.addType(FuncType(params: [.i32], results: [.i32]))
        #expect(bodyError([i32(1), i32(0), block(.if, .typeIndex(same)), end], results: [.i32], in: module) == nil)
        #expect(bodyError([i32(0), block(.if, .value(.i32)), i32(1), end], results: [.i32])
                == "type mismatch: instruction requires [i32] but stack has []")
        #expect(bodyError([i32(0), block(.if, .value(.i32)), i32(1), op(.else), i32(2), end], results: [.i32]) == nil)
        #expect(bodyError([i32(0), block(.if, .value(.i32)), i32(1), op(.else), end], results: [.i32])
                == "type mismatch: instruction requires [i32] but stack has []")
        #expect(bodyError([i64(0), block(.if), end]) == "type mismatch: instruction requires [i32] but stack has [i64]")
    }

    @Test func branchesNeedKnownLabelsAndTheirTypes() {
        #expect(bodyError([local(.br, 1)]) == "unknown label 1")
        #expect(bodyError([block(.block), local(.br, 1), end]) == nil)
        #expect(bodyError([block(.block, .value(.i32)), local(.br, 0), end, op(.drop)])
                == "type mismatch: instruction requires [i32] but stack has []")
        #expect(bodyError([block(.block, .value(.i32)), i64(1), local(.br, 0), end, op(.drop)])
                == "type mismatch: instruction requires [i32] but stack has [i64]")
        #expect(bodyError([i32(1), local(.br, 0)], results: [.i32]) == nil)
        #expect(bodyError([block(.block, .value(.i32)), i32(1), i32(0), local(.brIf, 0), end], results: [.i32]) == nil)
        #expect(bodyError([block(.block), i64(0), local(.brIf, 0), end])
                == "type mismatch: instruction requires [i32] but stack has [i64]")
    }

    @Test func brTableTargetsMustAgree() {
        let table = { (targets: [UInt32], d: UInt32) in op(.brTable, .brTable(targets: targets, defaultTarget: d)) }
        let ok = [block(.block, .value(.i32)), block(.block, .value(.i32)), i32(1), i32(0), table([0, 1], 1), end, end]
        #expect(bodyError(ok, results: [.i32]) == nil)
        let arity = [block(.block, .value(.i32)), block(.block), i32(1), i32(0), table([0], 1), end, i32(1), end]
        #expect(bodyError(arity, results: [.i32])?.hasPrefix("type mismatch") == true)
        let types = [block(.block, .value(.i64)), block(.block, .value(.i32)), i32(1), i32(0), table([0], 1),
                     end, op(.drop), i64(1), end]
        #expect(bodyError(types, results: [.i64])?.hasPrefix("type mismatch") == true)
        #expect(bodyError([i32(0), table([5], 0)]) == "unknown label 5")
        // In unreachable code a bottom operand meets both label types...
        let bottom = [block(.block, .value(.f32)), block(.block, .value(.i32)), op(.unreachable), table([0], 1),
                      end, op(.drop), f32(0), end, op(.drop)]
        #expect(bodyError(bottom) == nil)
        // ...but a known one must match each of them.
        let known = [block(.block, .value(.f32)), block(.block, .value(.i32)), op(.unreachable), i32(1), i32(0),
                     table([0], 1), end, op(.drop), f32(0), end, op(.drop)]
        #expect(bodyError(known) == "type mismatch: instruction requires [f32] but stack has [i32]")
        let arityInUnreachable = [block(.block, .value(.i32)), block(.block), op(.unreachable), table([0], 1),
                                  end, end, op(.drop)]
        #expect(bodyError(arityInUnreachable)?.hasPrefix("type mismatch") == true)
        let polymorphic = [block(.block, .value(.i32)), block(.block, .value(.i32)), op(.unreachable), table([0], 1),
                           end, end, op(.drop)]
        #expect(bodyError(polymorphic) == nil)
    }

    @Test func returnUsesTheFunctionResults() {
        #expect(bodyError([i32(1), op(.return)], results: [.i32]) == nil)
        #expect(bodyError([op(.return)], results: [.i32]) == "type mismatch: instruction requires [i32] but stack has []")
        #expect(bodyError([block(.block), i64(1), op(.return), end, i64(0)], results: [.i64]) == nil)
    }

    @Test func callsUseTheCalleeType() {
        var module = Module()
        let callee = module.addFunction(params: [.i32, .f64], results: [.i64], [op(.unreachable)])
        #expect(bodyError([i32(1), f64(2), local(.call, callee)], results: [.i64], in: module) == nil)
        #expect(bodyError([f64(2), i32(1), local(.call, callee)], results: [.i64], in: module)
                == "type mismatch: instruction requires [i32 f64] but stack has [f64 i32]")
        #expect(bodyError([local(.call, 7)], in: module) == "unknown function 7")
    }

    @Test func callIndirectNeedsAFunctionTable() {
        var module = Module()
        let t = module.addType(FuncType(params: [.i32], results: []))
        #expect(bodyError([i32(1), i32(0), op(.callIndirect, .indexPair(t, 0))], in: module) == "unknown table 0")
        module.tables.append(Table(type: TableType(elementType: .funcref, limits: Limits(min: 1))))
        #expect(bodyError([i32(1), i32(0), op(.callIndirect, .indexPair(t, 0))], in: module) == nil)
        #expect(bodyError([i32(1), i32(0), op(.callIndirect, .indexPair(5, 0))], in: module) == "unknown type 5")
        #expect(bodyError([i32(0), op(.callIndirect, .indexPair(t, 0))], in: module)
                == "type mismatch: instruction requires [i32] but stack has []")
        module.tables.append(Table(type: TableType(elementType: .externref, limits: Limits(min: 1))))
        #expect(bodyError([i32(1), i32(0), op(.callIndirect, .indexPair(t, 1))], in: module)?.hasPrefix("type mismatch") == true)
        // A 64-bit table takes an i64 index.
        module.tables.append(Table(type: TableType(elementType: .funcref, limits: Limits(min: 1, addressType: .i64))))
        #expect(bodyError([i32(1), i64(0), op(.callIndirect, .indexPair(t, 2))], in: module) == nil)
    }

    @Test func tailCallsMustReturnWhatTheCallerReturns() {
        var module = Module()
        let callee = module.addFunction(results: [.i32], [i32(0)])
        #expect(bodyError([local(.returnCall, callee)], results: [.i32], in: module) == nil)
        #expect(bodyError([local(.returnCall, callee)], results: [.i64], in: module)?.hasPrefix("type mismatch") == true)
        #expect(bodyError([local(.returnCall, callee), i64(0)], results: [.i32], in: module)
                == "type mismatch: instruction requires [i32] but stack has [i64]")
    }

    @Test func throwAndTryTable() {
        var module = Module()
        let t = module.addType(FuncType(params: [.i32]))
        module.tags.append(TagType(typeIndex: t))
        #expect(bodyError([local(.throw, 0)], in: module) == "type mismatch: instruction requires [i32] but stack has []")
        #expect(bodyError([i64(5), local(.throw, 0)], in: module) == "type mismatch: instruction requires [i32] but stack has [i64]")
        #expect(bodyError([i32(5), local(.throw, 0)], in: module) == nil)
        #expect(bodyError([local(.throw, 1)], in: module) == "unknown tag 1")

        let tryTable = { (bt: BlockType, catches: [Catch]) in op(.tryTable, .tryTable(bt, catches)) }
        let caught = [block(.block, .value(.i32)), tryTable(.empty, [.catch(tag: 0, label: 0)]), end, i32(0), end]
        #expect(bodyError(caught, results: [.i32], in: module) == nil)
        let wrongLabel = [block(.block), tryTable(.empty, [.catch(tag: 0, label: 0)]), end, end]
        #expect(bodyError(wrongLabel, in: module)?.hasPrefix("type mismatch") == true)
        let withRef = [block(.block, .value(.exnref)), tryTable(.empty, [.catchAllRef(label: 0)]), end,
                       op(.refNull, .heapType(.exn)), end, op(.throwRef)]
        #expect(bodyError(withRef, in: module) == nil)
        #expect(bodyError([tryTable(.empty, [.catchAll(label: 3)]), end], in: module) == "unknown label 3")
    }

    @Test func legacyTryCatchRethrowDelegate() {
        var module = Module()
        let t = module.addType(FuncType(params: [.i64]))
        module.tags.append(TagType(typeIndex: t))
        let tryCatch = [block(.try, .value(.i32)), i32(1), op(.catch, .index(0)), op(.drop), i32(2),
                        op(.catchAll), i32(3), end]
        #expect(bodyError(tryCatch, results: [.i32], in: module) == nil)
        #expect(bodyError([block(.try, .value(.i32)), i32(42), op(.catch, .index(0)), end], results: [.i32], in: module)
                == "type mismatch: instruction requires [i32] but stack has [i64]")
        #expect(bodyError([block(.try), op(.catchAll), i32(42), end], in: module)
                == "type mismatch: block requires [] but stack has [i32]")
        #expect(bodyError([block(.try), op(.catch, .index(0)), op(.drop), local(.rethrow, 0), end], in: module) == nil)
        #expect(bodyError([block(.try), local(.rethrow, 0), end], in: module) == "invalid rethrow label")
        #expect(bodyError([block(.block), block(.try), op(.delegate, .index(0)), end], in: module) == nil)
        #expect(bodyError([block(.try), op(.delegate, .index(1))], in: module) == "unknown label 1")
    }

    @Test func elseAndEndOutOfPlace() {
        #expect(bodyError([block(.block), op(.else), end]) != nil)
        #expect(bodyError([op(.catchAll)]) != nil)
    }
}
