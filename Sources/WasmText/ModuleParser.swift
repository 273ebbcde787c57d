import WasmBinary
import WasmSyntax

/// Parses a module in the text format: a full `(module $id? ...)` or just
/// its fields (as in a `.wat` file or a `module quote`).
///
/// `features` selects the grammar where WebAssembly versions differ: without
/// memory64, limits and memory offsets are 32-bit numbers as in 2.0.
public func parseModule(_ text: String, features: Features = .all) throws(TextError) -> Module {
    try parseModule(utf8: Array(text.utf8), features: features)
}

/// Parses a module from UTF-8 bytes, which need not be valid UTF-8 (a
/// quoted module may carry any bytes; malformed ones are reported as the
/// spec requires).
public func parseModule(utf8 bytes: [UInt8], features: Features = .all) throws(TextError) -> Module {
    let text = Lexer.lex(bytes)
    var cursor = TokenCursor(text)
    do throws(TextError) {
        let module: Module
        if cursor.peekIsOpen("module") {
            cursor.pos += 2
            _ = cursor.optionalID()
            module = try ModuleParser.parseFields(&cursor, features: features)
            try cursor.expectRightParen()
        } else {
            module = try ModuleParser.parseFields(&cursor, features: features)
        }
        guard cursor.peek.kind == .eof else { throw cursor.unexpected() }
        return module
    } catch {
        throw error.located(in: bytes)
    }
}

/// The module parser. It reads a module's fields twice: first to bind every
/// identifier to its index (a function may call one defined later), then to
/// build the module; type definitions come before the other fields in the
/// second pass, because type uses compare function types.
struct ModuleParser {
    var cursor: TokenCursor
    /// The enabled features, where they change the text grammar.
    let features: Features
    var text: LexedText { cursor.text }
    var module = Module()

    // Index spaces.
    var types = IndexSpace("type")
    var functions = IndexSpace("function", duplicate: "func")
    var tables = IndexSpace("table")
    var memories = IndexSpace("memory")
    var globals = IndexSpace("global")
    var tags = IndexSpace("tag")
    var elems = IndexSpace("elem segment", duplicate: "elem")
    var datas = IndexSpace("data segment", duplicate: "data")
    /// Field names per struct type index.
    var fieldNames: [UInt32: IndexSpace] = [:]

    /// Every type definition so far, flattened (explicit ones, then the
    /// implicit ones that type uses add).
    var definedTypes: [SubType] = []
    /// The first index of each function type that a type use may refer to
    /// implicitly: a final function type alone in its recursion group.
    var implicitTypeIndex: [FuncType: UInt32] = [:]
    var implicitTypes: [FuncType] = []

    // Counters of the second pass.
    var nextType: UInt32 = 0
    var nextFunction: UInt32 = 0
    var nextTable: UInt32 = 0
    var nextMemory: UInt32 = 0
    var nextGlobal: UInt32 = 0
    var nextTag: UInt32 = 0
    var sawStart = false

    // Code being parsed.
    var code = BinaryWriter()
    var constantInstructions: [Instruction] = []
    var inConstantExpression = false
    var locals = IndexSpace("local")
    var labels: [String?] = []
    var usesDataIndex = false

    // Annotations that become custom sections.
    var names = NameAnnotations()
    var branchHints = BranchHintState()

    /// How deeply blocks and folded instructions may nest. They are parsed
    /// without recursion; this bounds the memory hostile input can claim.
    static let maxNesting = 100_000

    init(cursor: TokenCursor, features: Features) {
        self.features = features
        self.cursor = cursor
    }

    /// Parses fields from the cursor up to (not including) a `)` or the end.
    static func parseFields(_ cursor: inout TokenCursor, features: Features) throws(TextError) -> Module {
        var fields: [Int] = []
        var p = cursor
        while p.peek.kind == .leftParen {
            fields.append(p.pos)
            p.skip(pastGroupAt: p.pos)
        }
        var parser = ModuleParser(cursor: cursor, features: features)
        // The module's name goes right after `module` and its identifier.
        parser.names.module = try parser.nameAnnotation(at: cursor.pos, "module")
        try parser.bindIdentifiers(fields)
        try parser.parseTypes(fields)
        try parser.parseOtherFields(fields)
        parser.finish()
        try parser.checkNamePlacement(start: cursor.pos, end: p.pos)
        try parser.checkBranchHintPlacement(start: cursor.pos, end: p.pos)
        let generated = [parser.branchHintSection(), parser.nameSection()].compactMap { $0 }
        try parser.customSections(fields: fields, start: cursor.pos, end: p.pos, generated: generated)
        cursor.pos = p.pos
        return parser.module
    }

    // MARK: - First pass

    private enum DefinitionKind: String {
        case function, table, memory, global, tag
    }

    /// Binds identifiers in every index space, and checks that imports come
    /// before definitions.
    mutating func bindIdentifiers(_ fields: [Int]) throws(TextError) {
        let text = self.text
        var lastDefinition: DefinitionKind?
        /// The token at `i`, or `eof` past the end: the fields may be cut
        /// short, and the second pass reports that.
        func token(_ i: Int) -> Token { text.tokens[min(i, text.tokens.count - 1)] }
        func id(at i: Int) -> Token? { token(i).kind == .id ? token(i) : nil }
        func next(after open: Int) -> Int { Int(text.matching[open]) + 1 }
        for open in fields {
            let keyword = token(open + 1)
            guard keyword.kind == .keyword else { continue }
            switch text.text(keyword) {
            case "type":
                try types.declare(id(at: open + 2), in: text)
            case "rec":
                var i = open + 2
                while token(i).kind == .leftParen {
                    if cursor.isKeyword(token(i + 1), "type") { try types.declare(id(at: i + 2), in: text) }
                    i = next(after: i)
                }
            case "import":
                guard token(open + 2).kind == .string, token(open + 3).kind == .string,
                      token(open + 4).kind == .leftParen, token(open + 5).kind == .keyword
                else { continue }
                if let last = lastDefinition {
                    throw TextError(message: "import after \(last.rawValue)", offset: Int(token(open).start))
                }
                let kind = token(open + 5)
                let name = id(at: open + 6)
                switch text.text(kind) {
                case "func": try functions.declare(name, in: text)
                case "table": try tables.declare(name, in: text)
                case "memory": try memories.declare(name, in: text)
                case "global": try globals.declare(name, in: text)
                case "tag": try tags.declare(name, in: text)
                default: break
                }
            case "func", "table", "memory", "global", "tag":
                let kind = text.text(keyword)
                let name = id(at: open + 2)
                var i = open + (name == nil ? 2 : 3)
                var isImport = false
                while token(i).kind == .leftParen {
                    let child = token(i + 1)
                    if cursor.isKeyword(child, "import") { isImport = true }
                    if kind == "table" && cursor.isKeyword(child, "elem") { try elems.declare(nil, in: text) }
                    if kind == "memory" && cursor.isKeyword(child, "data") { try datas.declare(nil, in: text) }
                    if kind == "func" && !cursor.isKeyword(child, "export") && !cursor.isKeyword(child, "import") { break }
                    i = next(after: i)
                }
                let definition: DefinitionKind
                switch kind {
                case "func": try functions.declare(name, in: text); definition = .function
                case "table": try tables.declare(name, in: text); definition = .table
                case "memory": try memories.declare(name, in: text); definition = .memory
                case "global": try globals.declare(name, in: text); definition = .global
                default: try tags.declare(name, in: text); definition = .tag
                }
                if isImport {
                    if let last = lastDefinition {
                        throw TextError(message: "import after \(last.rawValue)", offset: Int(token(open).start))
                    }
                } else {
                    lastDefinition = definition
                }
            case "elem":
                try elems.declare(id(at: open + 2), in: text)
            case "data":
                try datas.declare(id(at: open + 2), in: text)
            default:
                break
            }
        }
    }

    // MARK: - Second pass

    mutating func parseTypes(_ fields: [Int]) throws(TextError) {
        for open in fields {
            let keyword = text.tokens[open + 1]
            if cursor.isKeyword(keyword, "type") || cursor.isKeyword(keyword, "rec") {
                cursor.pos = open
                try typeField()
            }
        }
        definedTypes = module.types.flatMap(\.types)
        var index: UInt32 = 0
        for group in module.types {
            if group.types.count == 1, let ft = Self.implicitCandidate(group.types[0]), implicitTypeIndex[ft] == nil {
                implicitTypeIndex[ft] = index
            }
            index += UInt32(group.types.count)
        }
    }

    /// The function type of a definition that an inline type use may
    /// denote: a final function type without supertypes, alone in its group.
    static func implicitCandidate(_ t: SubType) -> FuncType? {
        guard t.isFinal, t.supertypes.isEmpty, case .func(let ft) = t.composite else { return nil }
        return ft
    }

    mutating func parseOtherFields(_ fields: [Int]) throws(TextError) {
        for open in fields {
            cursor.pos = open
            guard let keyword = cursor.openKeyword else {
                cursor.pos += 1
                throw cursor.unexpected()
            }
            switch text.text(keyword) {
            case "type", "rec": cursor.skip(pastGroupAt: open)
            case "func": try functionField()
            case "table": try tableField()
            case "memory": try memoryField()
            case "global": try globalField()
            case "tag": try tagField()
            case "import": try importField()
            case "export": try exportField()
            case "start": try startField()
            case "elem": try elemField()
            case "data": try dataField()
            default:
                throw cursor.unexpected(keyword)
            }
        }
    }

    mutating func finish() {
        for ft in implicitTypes {
            module.types.append(RecGroup(types: [SubType(isFinal: true, supertypes: [], composite: .func(ft))]))
        }
        if usesDataIndex { module.dataCount = UInt32(module.datas.count) }
    }

    // MARK: - Helpers

    /// Consumes an index token and resolves it in `space`.
    mutating func index(_ space: IndexSpace) throws(TextError) -> UInt32 {
        let t = cursor.peek
        guard t.kind == .nat || t.kind == .id else { throw cursor.unexpected() }
        let i = try space.resolve(t, in: text)
        cursor.pos += 1
        return i
    }

    /// An index when one comes next, else 0 (the abbreviation for an
    /// omitted table or memory index).
    mutating func optionalIndex(_ space: IndexSpace) throws(TextError) -> UInt32 {
        cursor.atIndex ? try index(space) : 0
    }

    /// `(export "name")*` after an entity's identifier.
    mutating func inlineExports(_ descriptor: ExportDescriptor) throws(TextError) {
        while cursor.takeOpen("export") {
            let name = try cursor.name()
            try cursor.expectRightParen()
            module.exports.append(Export(name: name, descriptor: descriptor))
        }
    }

    /// `(import "module" "name")` after an entity's exports, when present.
    mutating func inlineImport() throws(TextError) -> (String, String)? {
        guard cursor.takeOpen("import") else { return nil }
        let moduleName = try cursor.name()
        let name = try cursor.name()
        try cursor.expectRightParen()
        return (moduleName, name)
    }
}
