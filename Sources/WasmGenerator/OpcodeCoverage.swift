import WasmBinary
import WasmSyntax

/// Which opcodes a set of modules uses, counted from their binary bodies
/// and constant expressions (so it measures what was generated, not what
/// the generator meant to generate).
public struct OpcodeCoverage: Sendable {
    /// Occurrences per opcode (indexed by `Opcode.rawValue`).
    public private(set) var counts: [Int]
    public private(set) var modules = 0
    /// Bodies that did not decode (none, for a correct generator).
    public private(set) var undecodable = 0

    public init() {
        counts = [Int](repeating: 0, count: Opcode.allCases.count)
    }

    public mutating func record(_ module: Module) {
        modules += 1
        for function in module.functions {
            do {
                for instruction in try decodeInstructions(function.body) {
                    counts[Int(instruction.opcode.rawValue)] += 1
                }
            } catch {
                undecodable += 1
            }
        }
        func expression(_ e: ConstExpression) {
            for instruction in e { counts[Int(instruction.opcode.rawValue)] += 1 }
        }
        for global in module.globals { expression(global.initializer) }
        for table in module.tables { if let e = table.initializer { expression(e) } }
        for segment in module.elements {
            if case .active(_, let offset) = segment.mode { expression(offset) }
            if case .expressions(let items) = segment.items { items.forEach(expression) }
        }
        for segment in module.datas {
            if case .active(_, let offset) = segment.mode { expression(offset) }
        }
    }

    public func count(_ op: Opcode) -> Int { counts[Int(op.rawValue)] }

    /// The opcodes that `features` allows (relaxed SIMD needs SIMD too).
    public static func opcodes(of features: Features) -> [Opcode] {
        Opcode.allCases.filter { features.isSuperset(of: $0.feature) }
    }

    /// How many of the opcodes of `features` were seen, and which were not.
    public func coverage(of features: Features) -> (seen: Int, total: Int, missing: [Opcode]) {
        let ops = Self.opcodes(of: features)
        let missing = ops.filter { count($0) == 0 }
        return (ops.count - missing.count, ops.count, missing)
    }

    /// A report: the coverage figure, the opcodes never seen, and every
    /// opcode's count.
    public func report(features: Features) -> String {
        let (seen, total, missing) = coverage(of: features)
        let percent = total == 0 ? 100 : Double(seen) * 100 / Double(total)
        var lines = ["\(modules) modules: \(seen) of \(total) opcodes of the enabled features seen (\(String(format2: percent))%)"]
        if undecodable > 0 { lines.append("\(undecodable) function bodies did not decode") }
        if !missing.isEmpty {
            lines.append("never seen: " + missing.map(\.mnemonic).joined(separator: " "))
        }
        lines.append("counts:")
        for op in Self.opcodes(of: features) {
            lines.append("  \(op.mnemonic) \(count(op))")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// A number with two decimals (Foundation-free).
    init(format2 value: Double) {
        let scaled = Int((value * 100).rounded())
        let fraction = scaled % 100
        self = "\(scaled / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
