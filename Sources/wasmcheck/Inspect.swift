import ArgumentParser
import WasmBinary
import WasmSyntax

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List a module's sections, imports and exports.")

    @Argument(help: "The module to inspect (.wasm or .wat).") var file: String

    @OptionGroup var features: FeatureOptions

    func run() throws {
        let loaded = try loadModule(file, features: features.features)
        let module = loaded.module
        print("\(file): \(loaded.bytes.count) bytes")
        print("sections:")
        for section in sectionTable(loaded.bytes) {
            print("  \(section.name.padding(toLength: 12, withPad: " ", startingAt: 0)) offset \(section.offset)  size \(section.size)")
        }
        let importedFunctions = module.imports.filter { if case .function = $0.descriptor { return true }; return false }.count
        let types = module.definedTypes
        print("types: \(types.count), functions: \(importedFunctions) imported + \(module.functions.count) defined, tables: \(module.tables.count), memories: \(module.memories.count), globals: \(module.globals.count), tags: \(module.tags.count)")
        if !module.imports.isEmpty {
            print("imports:")
            for i in module.imports { print("  \"\(i.module)\" \"\(i.name)\": \(describe(i.descriptor, types: types))") }
        }
        if !module.exports.isEmpty {
            print("exports:")
            for e in module.exports { print("  \"\(e.name)\": \(describe(e.descriptor))") }
        }
        if let start = module.start { print("start: func \(start)") }
    }

    /// The sections in file order: the module was decoded already, so the
    /// framing (id, LEB size) is known to be sound.
    private func sectionTable(_ bytes: [UInt8]) -> [(name: String, offset: Int, size: Int)] {
        let names = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount", "tag"]
        var reader = BinaryReader(bytes)
        reader.offset = 8
        var sections: [(String, Int, Int)] = []
        while !reader.isAtEnd {
            let offset = reader.offset
            guard let id = try? reader.readByte(), let size = try? reader.readU32(),
                  let body = try? reader.readBytes(Int(size)) else { break }
            var name = Int(id) < names.count ? names[Int(id)] : "id \(id)"
            if id == 0, let custom = customSectionName(body) { name = "custom \"\(custom)\"" }
            sections.append((name, offset, Int(size)))
        }
        return sections
    }

    private func customSectionName(_ body: ArraySlice<UInt8>) -> String? {
        var reader = BinaryReader(body)
        guard let n = try? reader.readU32(), let name = try? reader.readBytes(Int(n)) else { return nil }
        return String(decoding: name, as: UTF8.self)
    }

    private func describe(_ d: ImportDescriptor, types: [SubType]) -> String {
        switch d {
        case .function(let t):
            if let f = Int(t) < types.count ? types[Int(t)].funcType : nil {
                return "func \(f.params) -> \(f.results)"
            }
            return "func type \(t)"
        case .table(let t): return "table \(t.elementType) \(t.limits.min)..\(t.limits.max.map(String.init) ?? "")"
        case .memory(let m): return "memory \(m.limits.min)..\(m.limits.max.map(String.init) ?? "") pages\(m.limits.addressType == .i64 ? " (i64)" : "")"
        case .global(let g): return "global \(g.mutable ? "mut " : "")\(g.valueType)"
        case .tag(let t): return "tag type \(t.typeIndex)"
        }
    }

    private func describe(_ d: ExportDescriptor) -> String {
        switch d {
        case .function(let i): return "func \(i)"
        case .table(let i): return "table \(i)"
        case .memory(let i): return "memory \(i)"
        case .global(let i): return "global \(i)"
        case .tag(let i): return "tag \(i)"
        }
    }
}
