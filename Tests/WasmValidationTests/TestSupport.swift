import WasmBinary
import WasmSyntax
@testable import WasmValidation

// Helpers that build modules from WasmSyntax values and run the validator.

/// An instruction with an immediate, shorter to write in tests.
func op(_ opcode: Opcode, _ immediate: Immediate = .none) -> Instruction {
    Instruction(opcode, immediate)
}

func i32(_ v: Int32) -> Instruction { Instruction(.i32Const, .i32(v)) }
func i64(_ v: Int64) -> Instruction { Instruction(.i64Const, .i64(v)) }
func f32(_ v: Float) -> Instruction { Instruction(.f32Const, .f32(v.bitPattern)) }
func f64(_ v: Double) -> Instruction { Instruction(.f64Const, .f64(v.bitPattern)) }
func local(_ opcode: Opcode, _ x: UInt32) -> Instruction { Instruction(opcode, .index(x)) }
func block(_ opcode: Opcode, _ t: BlockType = .empty) -> Instruction { Instruction(opcode, .block(t)) }
let end = Instruction(.end)

func ref(_ h: HeapType, null: Bool = true) -> ValueType { .ref(RefType(nullable: null, heapType: h)) }

/// The bytes of a function body: the instructions and the final `end`.
func encodeBody(_ instructions: [Instruction]) -> ArraySlice<UInt8> {
    var writer = BinaryWriter()
    writer.expression(instructions)
    return writer.bytes[...]
}

extension Module {
    /// Adds a function type (in a rec group of its own) and returns its index.
    @discardableResult
    mutating func addType(_ f: FuncType) -> UInt32 {
        let index = UInt32(definedTypes.count)
        types.append(RecGroup(types: [SubType(composite: .func(f))]))
        return index
    }

    /// Adds a struct or array type (final, no super type).
    @discardableResult
    mutating func addType(_ composite: CompositeType, final: Bool = true, supertypes: [UInt32] = []) -> UInt32 {
        let index = UInt32(definedTypes.count)
        types.append(RecGroup(types: [SubType(isFinal: final, supertypes: supertypes, composite: composite)]))
        return index
    }

    /// Adds a defined function with the given body (without its final
    /// `end`) and returns its index in the function index space.
    @discardableResult
    mutating func addFunction(params: [ValueType] = [], results: [ValueType] = [], locals: [ValueType] = [],
                              _ code: [Instruction]) -> UInt32 {
        let type = addType(FuncType(params: params, results: results))
        let runs = locals.map { LocalRun(count: 1, type: $0) }
        functions.append(Function(typeIndex: type, locals: runs, body: encodeBody(code)))
        return UInt32(importedFunctionCount + functions.count - 1)
    }

    var importedFunctionCount: Int {
        imports.filter { if case .function = $0.descriptor { return true } else { return false } }.count
    }
}

/// Validates `code` as the body of a new function of `module`, feeding the
/// instructions one by one to a `FunctionValidator`. Returns the error
/// message, or nil when the body is valid.
func bodyError(_ code: [Instruction], params: [ValueType] = [], results: [ValueType] = [],
               locals: [ValueType] = [], in module: Module = Module(), features: Features = .all) -> String? {
    var module = module
    let index = module.addFunction(params: params, results: results, locals: locals, [])
    do {
        let context = try ValidationContext(module: module, features: features)
        var validator = try FunctionValidator(context: context, functionIndex: index,
                                              locals: locals.map { LocalRun(count: 1, type: $0) }, offset: 0)
        for (i, instruction) in (code + [end]).enumerated() {
            try validator.validate(instruction, offset: i)
        }
        if !validator.isFinished { return "not finished" }
        return nil
    } catch {
        return error.message
    }
}

/// Validates a whole module; returns nil when valid, else the message.
func moduleError(_ module: Module, features: Features = .all) -> String? {
    do {
        try validateModule(module, features: features)
        return nil
    } catch {
        return error.message
    }
}

/// Whether validating the module fails as malformed (not invalid).
func isMalformed(_ module: Module, features: Features = .all) -> Bool {
    do {
        try validateModule(module, features: features)
        return false
    } catch {
        if case .malformed = error { return true }
        return false
    }
}
