import WasmBinary
import WasmSyntax

/// Prints a module in the text format: one field per line, flat
/// instructions, numeric indices (the AST keeps no names), with the index
/// of each definition in a comment. Parsing the output gives the module back.
public func printModule(_ module: Module) -> String {
    var printer = ModulePrinter(module: module)
    printer.printModule()
    return printer.out
}

struct ModulePrinter {
    let module: Module
    var out = ""

    init(module: Module) {
        self.module = module
    }

    mutating func line(_ indent: Int, _ s: String) {
        out += String(repeating: "  ", count: indent)
        out += s
        out += "\n"
    }

    mutating func printModule() {
        out += "(module\n"
        var typeIndex = 0
        for group in module.types {
            if group.isExplicit {
                line(1, "(rec")
                for t in group.types {
                    line(2, "(type (;\(typeIndex);) \(subType(t)))")
                    typeIndex += 1
                }
                line(1, ")")
            } else {
                for t in group.types {
                    line(1, "(type (;\(typeIndex);) \(subType(t)))")
                    typeIndex += 1
                }
            }
        }
        var counts = (function: 0, table: 0, memory: 0, global: 0, tag: 0)
        for i in module.imports {
            let d: String
            switch i.descriptor {
            case .function(let t): d = "(func (;\(counts.function);) (type \(t)))"; counts.function += 1
            case .table(let t): d = "(table (;\(counts.table);) \(tableType(t)))"; counts.table += 1
            case .memory(let m): d = "(memory (;\(counts.memory);) \(memoryType(m)))"; counts.memory += 1
            case .global(let g): d = "(global (;\(counts.global);) \(globalType(g)))"; counts.global += 1
            case .tag(let t): d = "(tag (;\(counts.tag);) (type \(t.typeIndex)))"; counts.tag += 1
            }
            line(1, "(import \(string(Array(i.module.utf8))) \(string(Array(i.name.utf8))) \(d))")
        }
        for t in module.tags {
            line(1, "(tag (;\(counts.tag);) (type \(t.typeIndex)))")
            counts.tag += 1
        }
        for t in module.tables {
            var s = "(table (;\(counts.table);) \(tableType(t.type))"
            if let e = t.initializer { s += " " + constantExpression(e) }
            line(1, s + ")")
            counts.table += 1
        }
        for m in module.memories {
            line(1, "(memory (;\(counts.memory);) \(memoryType(m)))")
            counts.memory += 1
        }
        for g in module.globals {
            line(1, "(global (;\(counts.global);) \(globalType(g.type)) \(constantExpression(g.initializer)))")
            counts.global += 1
        }
        for f in module.functions {
            printFunction(f, index: counts.function)
            counts.function += 1
        }
        for e in module.exports {
            let d: String
            switch e.descriptor {
            case .function(let i): d = "func \(i)"
            case .table(let i): d = "table \(i)"
            case .memory(let i): d = "memory \(i)"
            case .global(let i): d = "global \(i)"
            case .tag(let i): d = "tag \(i)"
            }
            line(1, "(export \(string(Array(e.name.utf8))) (\(d)))")
        }
        if let s = module.start { line(1, "(start \(s))") }
        for (i, e) in module.elements.enumerated() { line(1, elementSegment(e, index: i)) }
        for (i, d) in module.datas.enumerated() {
            var s = "(data (;\(i);)"
            if case .active(let memory, let offset) = d.mode {
                s += " (memory \(memory)) (offset \(instructionList(offset)))"
            }
            line(1, s + " \(string(d.bytes)))")
        }
        for c in module.customSections {
            let placement = c.after == 0 ? "(before first)" : "(after \(Self.sectionKeyword(c.after)))"
            line(1, "(@custom \(string(Array(c.name.utf8))) \(placement) \(string(c.bytes)))")
        }
        out += ")\n"
    }

    static func sectionKeyword(_ id: UInt8) -> String {
        switch id {
        case 1: return "type"
        case 2: return "import"
        case 3: return "func"
        case 4: return "table"
        case 5: return "memory"
        case 6: return "global"
        case 7: return "export"
        case 8: return "start"
        case 9: return "elem"
        case 10: return "code"
        case 11: return "data"
        case 12: return "datacount"
        case 13: return "tag"
        default: return "data"
        }
    }

    // MARK: - Segments

    func elementSegment(_ e: ElementSegment, index: Int) -> String {
        var s = "(elem (;\(index);)"
        switch e.mode {
        case .passive: break
        case .declarative: s += " declare"
        case .active(let table, let offset): s += " (table \(table)) (offset \(instructionList(offset)))"
        }
        switch e.items {
        case .functions(let functions) where e.type == RefType(nullable: false, heapType: .func):
            s += " func" + functions.map { " \($0)" }.joined()
        case .functions(let functions):
            s += " " + e.type.textName + functions.map { " (item ref.func \($0))" }.joined()
        case .expressions(let expressions):
            s += " " + e.type.textName + expressions.map { " (item \(instructionList($0)))" }.joined()
        }
        return s + ")"
    }

    // MARK: - Types

    func subType(_ t: SubType) -> String {
        let composite = compositeType(t.composite)
        if t.isFinal && t.supertypes.isEmpty { return composite }
        var s = "(sub"
        if t.isFinal { s += " final" }
        for i in t.supertypes { s += " \(i)" }
        return s + " " + composite + ")"
    }

    func compositeType(_ c: CompositeType) -> String {
        switch c {
        case .func(let f): return "(func" + signature(f) + ")"
        case .struct(let fields): return "(struct" + fields.map { " (field \(fieldType($0)))" }.joined() + ")"
        case .array(let f): return "(array \(fieldType(f)))"
        }
    }

    func signature(_ f: FuncType) -> String {
        var s = ""
        if !f.params.isEmpty { s += " (param" + f.params.map { " " + $0.textName }.joined() + ")" }
        if !f.results.isEmpty { s += " (result" + f.results.map { " " + $0.textName }.joined() + ")" }
        return s
    }

    func fieldType(_ f: FieldType) -> String {
        let storage: String
        switch f.storage {
        case .i8: storage = "i8"
        case .i16: storage = "i16"
        case .value(let v): storage = v.textName
        }
        return f.mutable ? "(mut \(storage))" : storage
    }

    func limits(_ l: Limits) -> String {
        var s = l.addressType == .i64 ? "i64 \(l.min)" : "\(l.min)"
        if let max = l.max { s += " \(max)" }
        return s
    }

    func tableType(_ t: TableType) -> String {
        limits(t.limits) + " " + t.elementType.textName
    }

    func memoryType(_ m: MemoryType) -> String {
        var s = limits(m.limits)
        if m.limits.shared { s += " shared" }
        if let log2 = m.pageSizeLog2, log2 < 64 { s += " (pagesize \(UInt64(1) << UInt64(log2)))" }
        return s
    }

    func globalType(_ g: GlobalType) -> String {
        g.mutable ? "(mut \(g.valueType.textName))" : g.valueType.textName
    }

    // MARK: - Strings

    /// A string literal; bytes outside printable ASCII are escaped, so any
    /// byte sequence survives.
    func string(_ bytes: [UInt8]) -> String {
        let hex: [Character] = Array("0123456789abcdef")
        var s = "\""
        for b in bytes {
            if b >= 0x20 && b < 0x7F && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") {
                s.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                s.append("\\")
                s.append(hex[Int(b >> 4)])
                s.append(hex[Int(b & 0xF)])
            }
        }
        return s + "\""
    }
}
