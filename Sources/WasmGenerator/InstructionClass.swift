import WasmSyntax

/// Groups of instructions that swarm mode switches on and off together,
/// and that the code generator chooses between before it chooses an
/// instruction (so that the 236 vector instructions do not drown the rest).
public enum InstructionClass: Int, CaseIterable, Sendable, Codable {
    case control
    case branch
    case call
    case parametric
    case variable
    case integer
    case float
    case conversion
    case memory
    case memoryControl
    case table
    case reference
    case aggregate
    case exception
    case vector
    case relaxedVector

    public var name: String { String(describing: self) }

    /// The fixed-signature instructions (`Opcode.signature` set), by class;
    /// constants are leaves and belong to no class here.
    static let fixedOpcodes: [[Opcode]] = {
        var table = [[Opcode]](repeating: [], count: InstructionClass.allCases.count)
        for op in Opcode.allCases {
            guard let c = fixedClass(op) else { continue }
            table[c.rawValue].append(op)
        }
        return table
    }()

    static func fixedClass(_ op: Opcode) -> InstructionClass? {
        guard let sig = op.signature else { return nil }
        switch op {
        case .i32Const, .i64Const, .f32Const, .f64Const, .v128Const: return nil
        case .nop: return .control
        case .refI31: return .reference
        default: break
        }
        if op.feature.contains(.relaxedSimd) { return .relaxedVector }
        let all = sig.params + sig.results
        if all.contains(.v128) { return .vector }
        let ints = all.allSatisfy { $0 == .i32 || $0 == .i64 }
        let floats = all.allSatisfy { $0 == .f32 || $0 == .f64 }
        if ints { return .integer }
        if floats {
            // promote/demote change the float width: conversions.
            return sig.params.first == sig.results.first || sig.params.count > 1 ? .float : .conversion
        }
        // Comparisons of floats give i32 but are float operations.
        if sig.results == [.i32] && sig.params.allSatisfy({ $0 == .f32 || $0 == .f64 }) && sig.params.count == 2 {
            return .float
        }
        return .conversion
    }
}

/// A set of instruction classes.
public struct InstructionClasses: Sendable, Equatable {
    public var bits: UInt32

    public init(bits: UInt32) { self.bits = bits }

    public static let all = InstructionClasses(bits: (1 << UInt32(InstructionClass.allCases.count)) - 1)

    public func contains(_ c: InstructionClass) -> Bool { bits & (1 << UInt32(c.rawValue)) != 0 }

    public mutating func insert(_ c: InstructionClass) { bits |= 1 << UInt32(c.rawValue) }

    public mutating func remove(_ c: InstructionClass) { bits &= ~(1 << UInt32(c.rawValue)) }
}
