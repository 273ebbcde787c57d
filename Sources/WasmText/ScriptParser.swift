import WasmSyntax

/// Parses a `.wast` script. A script that starts with a module field
/// instead of a command is one inline module.
/// `features` selects the grammar where WebAssembly versions differ (see `parseModule`).
public func parseScript(_ text: String, fileName: String, features: Features = .all) throws(TextError) -> Script {
    try parseScript(utf8: Array(text.utf8), fileName: fileName, features: features)
}

public func parseScript(utf8 bytes: [UInt8], fileName: String, features: Features = .all) throws(TextError) -> Script {
    var parser = ScriptParser(Lexer.lex(bytes), features: features)
    do throws(TextError) {
        return Script(fileName: fileName, commands: try parser.script())
    } catch {
        throw error.located(in: bytes)
    }
}

struct ScriptParser {
    var cursor: TokenCursor
    var text: LexedText { cursor.text }
    var lines: LineCounter

    /// Threads nest commands; bound the recursion.
    var threadDepth = 0
    var eitherDepth = 0

    /// The enabled features, where they change the text grammar.
    let features: Features

    init(_ text: LexedText, features: Features) {
        self.features = features
        cursor = TokenCursor(text)
        lines = LineCounter(text.source)
    }

    static let moduleFieldKeywords: Set<String> = [
        "type", "rec", "func", "import", "export", "table", "memory", "global", "tag", "elem", "data", "start",
    ]

    mutating func script() throws(TextError) -> [Command] {
        if let k = cursor.openKeyword, Self.moduleFieldKeywords.contains(text.text(k)) {
            let line = lines.line(at: Int(cursor.peek.start))
            let module = try ModuleParser.parseFields(&cursor, features: features)
            guard cursor.peek.kind == .eof else { throw cursor.unexpected() }
            return [Command(line: line, kind: .module(ScriptModule(id: nil, source: .text(module))))]
        }
        var commands: [Command] = []
        while cursor.peek.kind != .eof {
            commands.append(try command())
        }
        return commands
    }

    // MARK: - Commands

    mutating func command() throws(TextError) -> Command {
        let line = lines.line(at: Int(cursor.peek.start))
        guard let keyword = cursor.openKeyword else {
            throw cursor.unexpected(cursor.atLeftParen ? cursor.peek(1) : cursor.peek)
        }
        let kind: Command.Kind
        switch text.text(keyword) {
        case "module":
            if cursor.isKeyword(cursor.peek(2), "instance") {
                cursor.pos += 3
                let instance = cursor.optionalID().map { text.identifier($0) }
                let definition = cursor.optionalID().map { text.identifier($0) }
                try cursor.expectRightParen()
                kind = .instance(instance: instance, definition: definition)
            } else {
                kind = .module(try module())
            }
        case "register":
            cursor.pos += 2
            let name = try cursor.name()
            let module = cursor.optionalID().map { text.identifier($0) }
            try cursor.expectRightParen()
            kind = .register(name: name, module: module)
        case "invoke", "get":
            kind = .action(try action())
        case "assert_return":
            cursor.pos += 2
            let action = try self.action()
            var results: [ExpectedValue] = []
            while cursor.atLeftParen { results.append(try expected()) }
            try cursor.expectRightParen()
            kind = .assertReturn(action, results)
        case "assert_trap":
            cursor.pos += 2
            if cursor.peekIsOpen("module") {
                let module = try self.module()
                kind = .assertModuleTrap(module, message: try message())
            } else {
                let action = try self.action()
                kind = .assertTrap(action, message: try message())
            }
        case "assert_exhaustion":
            cursor.pos += 2
            let action = try self.action()
            kind = .assertExhaustion(action, message: try message())
        case "assert_exception":
            cursor.pos += 2
            let action = try self.action()
            try cursor.expectRightParen()
            kind = .assertException(action)
        case "assert_invalid", "assert_malformed", "assert_unlinkable", "assert_uninstantiable",
             "assert_malformed_custom", "assert_invalid_custom":
            let name = text.text(keyword)
            cursor.pos += 2
            let module = try self.module()
            let message = try self.message()
            switch name {
            case "assert_invalid": kind = .assertInvalid(module, message: message)
            case "assert_malformed": kind = .assertMalformed(module, message: message)
            case "assert_unlinkable": kind = .assertUnlinkable(module, message: message)
            case "assert_uninstantiable": kind = .assertUninstantiable(module, message: message)
            case "assert_malformed_custom": kind = .assertMalformedCustom(module, message: message)
            default: kind = .assertInvalidCustom(module, message: message)
            }
        case "thread":
            kind = try thread()
        case "wait":
            cursor.pos += 2
            guard let id = cursor.optionalID() else { throw cursor.unexpected() }
            try cursor.expectRightParen()
            kind = .wait(thread: text.identifier(id))
        default:
            throw cursor.unexpected(keyword)
        }
        return Command(line: line, kind: kind)
    }

    /// The message string that ends an assertion, and its `)`.
    private mutating func message() throws(TextError) -> String {
        let bytes = try cursor.string()
        try cursor.expectRightParen()
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `(thread $T (shared (module $M))* command*)`.
    private mutating func thread() throws(TextError) -> Command.Kind {
        guard threadDepth < 16 else { throw cursor.error("threads nested too deeply", at: cursor.peek) }
        threadDepth += 1
        defer { threadDepth -= 1 }
        cursor.pos += 2
        guard let id = cursor.optionalID() else { throw cursor.unexpected() }
        var shared: [String] = []
        while cursor.takeOpen("shared") {
            guard cursor.takeOpen("module"), let m = cursor.optionalID() else { throw cursor.unexpected() }
            shared.append(text.identifier(m))
            try cursor.expectRightParen()
            try cursor.expectRightParen()
        }
        var commands: [Command] = []
        while cursor.atLeftParen { commands.append(try command()) }
        try cursor.expectRightParen()
        return .thread(name: text.identifier(id), sharedModules: shared, commands: commands)
    }

    // MARK: - Modules

    /// `(module definition? $id? ...)` with text, `binary` or `quote` contents.
    mutating func module() throws(TextError) -> ScriptModule {
        let open = cursor.pos
        guard cursor.takeOpen("module") else { throw cursor.unexpected() }
        let isDefinition = cursor.takeKeyword("definition")
        let id = cursor.optionalID().map { text.identifier($0) }
        let source: ModuleSource
        if cursor.takeKeyword("binary") {
            source = .binary(cursor.strings())
        } else if cursor.takeKeyword("quote") {
            source = .quote(cursor.strings())
        } else {
            do throws(TextError) {
                source = .text(try ModuleParser.parseFields(&cursor, features: features))
            } catch where error.isUnsupported {
                cursor.pos = open
                cursor.skip(pastGroupAt: open)
                return ScriptModule(id: id, isDefinition: isDefinition,
                                    source: .unsupported(error.located(in: text.source)))
            }
        }
        try cursor.expectRightParen()
        return ScriptModule(id: id, isDefinition: isDefinition, source: source)
    }

    // MARK: - Actions and values

    /// `(invoke $id? "name" arg*)` or `(get $id? "name")`.
    mutating func action() throws(TextError) -> Action {
        if cursor.takeOpen("invoke") {
            let module = cursor.optionalID().map { text.identifier($0) }
            let name = try cursor.name()
            var arguments: [Argument] = []
            while cursor.atLeftParen { arguments.append(try argument()) }
            try cursor.expectRightParen()
            return .invoke(module: module, name: name, arguments: arguments)
        }
        if cursor.takeOpen("get") {
            let module = cursor.optionalID().map { text.identifier($0) }
            let name = try cursor.name()
            try cursor.expectRightParen()
            return .get(module: module, name: name)
        }
        throw cursor.unexpected(cursor.atLeftParen ? cursor.peek(1) : cursor.peek)
    }

    mutating func argument() throws(TextError) -> Argument {
        try cursor.expectLeftParen()
        let keyword = cursor.advance()
        guard keyword.kind == .keyword else { throw cursor.unexpected(keyword) }
        let value: Argument
        switch text.text(keyword) {
        case "i32.const": value = .i32(UInt32(bitPattern: try cursor.i32()))
        case "i64.const": value = .i64(UInt64(bitPattern: try cursor.i64()))
        case "f32.const": value = .f32(try cursor.f32())
        case "f64.const": value = .f64(try cursor.f64())
        case "v128.const": value = .v128(try cursor.v128())
        case "ref.null": value = .refNull(try abstractHeapType())
        case "ref.extern": value = .refExtern(try cursor.u32())
        case "ref.host": value = .refHost(try cursor.u32())
        default: throw cursor.unexpected(keyword)
        }
        try cursor.expectRightParen()
        return value
    }

    /// Scripts have no type section: heap types are abstract.
    private mutating func abstractHeapType() throws(TextError) -> HeapType {
        let t = cursor.peek
        guard t.kind == .keyword, let a = AbstractHeapType.allCases.first(where: { text.equals(t, $0.staticName) })
        else { throw cursor.unexpected() }
        cursor.pos += 1
        return .abstract(a)
    }

    mutating func expected() throws(TextError) -> ExpectedValue {
        try cursor.expectLeftParen()
        let keyword = cursor.advance()
        guard keyword.kind == .keyword else { throw cursor.unexpected(keyword) }
        let value: ExpectedValue
        switch text.text(keyword) {
        case "i32.const": value = .i32(UInt32(bitPattern: try cursor.i32()))
        case "i64.const": value = .i64(UInt64(bitPattern: try cursor.i64()))
        case "f32.const":
            if let pattern = nanPattern() { value = .f32NaN(pattern) } else { value = .f32(try cursor.f32()) }
        case "f64.const":
            if let pattern = nanPattern() { value = .f64NaN(pattern) } else { value = .f64(try cursor.f64()) }
        case "v128.const": value = try expectedVector()
        case "ref.null":
            value = .refNull(cursor.atRightParen ? nil : try abstractHeapType())
        case "ref.func": value = .refFunc
        case "ref.extern": value = .refExtern(cursor.atRightParen ? nil : try cursor.u32())
        case "ref.host": value = .refHost(try cursor.u32())
        case "ref.struct": value = .refStruct
        case "ref.array": value = .refArray
        case "ref.eq": value = .refEq
        case "ref.i31": value = .refI31
        case "ref.any": value = .refAny
        case "ref.exn": value = .refExn
        case "either":
            guard eitherDepth < 16 else { throw cursor.error("either nested too deeply", at: keyword) }
            eitherDepth += 1
            defer { eitherDepth -= 1 }
            var alternatives: [ExpectedValue] = []
            while cursor.atLeftParen { alternatives.append(try expected()) }
            value = .either(alternatives)
        default:
            throw cursor.unexpected(keyword)
        }
        try cursor.expectRightParen()
        return value
    }

    private mutating func nanPattern() -> NaNPattern? {
        if cursor.takeKeyword("nan:canonical") { return .canonical }
        if cursor.takeKeyword("nan:arithmetic") { return .arithmetic }
        return nil
    }

    /// `v128.const shape lane*` where float lanes may be NaN patterns.
    private mutating func expectedVector() throws(TextError) -> ExpectedValue {
        let shape = V128Shape(cursor.peek, in: text)
        guard shape == .f32x4 || shape == .f64x2 else { return .v128(try cursor.v128()) }
        let start = cursor.pos
        cursor.pos += 1
        var lanes: [ExpectedValue] = []
        var hasPattern = false
        while !cursor.atRightParen {
            if let pattern = nanPattern() {
                hasPattern = true
                lanes.append(shape == .f32x4 ? .f32NaN(pattern) : .f64NaN(pattern))
            } else if shape == .f32x4 {
                lanes.append(.f32(try cursor.f32()))
            } else {
                lanes.append(.f64(try cursor.f64()))
            }
        }
        guard hasPattern else {
            cursor.pos = start
            return .v128(try cursor.v128())
        }
        guard lanes.count == shape?.laneCount else { throw cursor.error("wrong number of lane literals", at: cursor.peek) }
        return .v128Lanes(lanes)
    }
}

/// Line numbers of increasing offsets, counted incrementally so that a
/// large script is scanned once.
struct LineCounter {
    private let source: [UInt8]
    private var offset = 0
    private var line = 1

    init(_ source: [UInt8]) { self.source = source }

    mutating func line(at target: Int) -> Int {
        if target < offset {
            offset = 0
            line = 1
        }
        let end = min(target, source.count)
        while offset < end {
            let b = source[offset]
            if b == 0x0A {
                line += 1
            } else if b == 0x0D {
                if offset + 1 < end, source[offset + 1] == 0x0A { offset += 1 }
                line += 1
            }
            offset += 1
        }
        return line
    }
}
