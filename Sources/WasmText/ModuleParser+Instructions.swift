import WasmBinary
import WasmSyntax

/// Instruction sequences, flat and folded. Function bodies are encoded to
/// bytes as they are parsed; constant expressions are collected as
/// `Instruction` values.
///
/// Blocks nest without recursion: an explicit stack of open constructs
/// (`Frame`) drives one loop, so deep nesting costs heap, not stack.
extension ModuleParser {
    /// An open construct and what may come next in it.
    enum Frame {
        /// A flat `block`, `loop`, `if`, `try_table` or legacy `try`, closed by
        /// `end` (or `delegate`).
        case flat(label: String?, kind: FlatKind)
        /// `(block ...)`, `(loop ...)`, `(try_table ...)`, closed by `)`.
        case foldedBlock
        /// `(if ...)` before `(then`: its folded conditions.
        case foldedIfCondition(label: Token?, type: BlockType)
        /// Inside `(then ...)` or `(else ...)`.
        case foldedIfBranch(isElse: Bool)
        /// After the branches, before the `)` of `(if ...)`.
        case foldedIfEnd
        /// Inside `(do ...)` of a folded legacy `try`.
        case foldedTryBody
        /// Between the clauses of a folded legacy `try`.
        case foldedTryClauses(hasHandlers: Bool, hasCatchAll: Bool)
        /// Inside `(catch ...)` or `(catch_all ...)`.
        case foldedTryHandler(isCatchAll: Bool)
        /// `(op immediates ...)`: folded operands, then the instruction at `)`.
        case operands(PendingInstruction)
    }

    enum FlatKind {
        case block, `if`, `else`, `try`, `catch`, catchAll
    }

    // MARK: - Emitting

    mutating func emit(_ instruction: Instruction) {
        if inConstantExpression {
            constantInstructions.append(instruction)
        } else {
            code.instruction(instruction)
        }
    }

    private mutating func emit(_ pending: PendingInstruction) {
        switch pending {
        case .instruction(let i): emit(i)
        case .encoded(let bytes): code.append(bytes)
        }
    }

    // MARK: - Sequences

    /// Parses instructions up to a `)`, the end of input, or a keyword that
    /// closes or splits a block (`end`, `else`, `catch`, `catch_all`,
    /// `delegate`), which is left for the caller.
    mutating func instructions() throws(TextError) {
        try parseInstructions(singleFolded: false)
    }

    /// Parses exactly one folded instruction (offsets, element items).
    mutating func foldedInstruction() throws(TextError) {
        try parseInstructions(singleFolded: true)
    }

    private mutating func parseInstructions(singleFolded: Bool) throws(TextError) {
        var frames: [Frame] = []
        if singleFolded {
            guard cursor.atLeftParen else { throw cursor.unexpected() }
            try openFolded(&frames)
        }
        while !frames.isEmpty || !singleFolded {
            let t = cursor.peek
            switch frames.last {
            case .foldedIfCondition(let label, let type):
                if cursor.takeOpen("then") {
                    recordDeferredBranchHint(depth: frames.count)
                    emit(Instruction(.if, .block(type)))
                    pushLabel(label)
                    frames[frames.count - 1] = .foldedIfBranch(isElse: false)
                } else if t.kind == .leftParen {
                    try openFolded(&frames)
                } else {
                    throw cursor.unexpected()
                }
                continue
            case .foldedIfEnd:
                try cursor.expectRightParen()
                frames.removeLast()
                labels.removeLast()
                emit(Instruction(.end))
                continue
            case .foldedTryClauses(let hasHandlers, let hasCatchAll):
                try foldedTryClause(&frames, hasHandlers: hasHandlers, hasCatchAll: hasCatchAll)
                continue
            case .operands(let pending):
                if t.kind == .leftParen {
                    try openFolded(&frames)
                } else {
                    try cursor.expectRightParen()
                    recordDeferredBranchHint(depth: frames.count)
                    frames.removeLast()
                    emit(pending)
                }
                continue
            default:
                break
            }
            // Inside a block or at the top: any instruction may come.
            switch t.kind {
            case .leftParen:
                try openFolded(&frames)
            case .rightParen:
                guard let top = frames.last else { return }
                try closeFolded(top, &frames)
            case .keyword:
                if isBlockDelimiter(t) {
                    guard case .flat(let label, let kind) = frames.last else {
                        if frames.isEmpty { return }
                        throw cursor.unexpected()
                    }
                    try flatDelimiter(t, label: label, kind: kind, &frames)
                } else if let op = flatBlockOpcode(t) {
                    try openFlat(op, &frames)
                } else {
                    let hint = try branchHint(at: cursor.pos)
                    cursor.pos += 1
                    let instruction = try operation(t)
                    recordBranchHint(hint)
                    emit(instruction)
                }
            default:
                if frames.isEmpty { return }
                throw cursor.unexpected()
            }
        }
    }

    private func isBlockDelimiter(_ t: Token) -> Bool {
        cursor.isKeyword(t, "end") || cursor.isKeyword(t, "else") || cursor.isKeyword(t, "catch")
            || cursor.isKeyword(t, "catch_all") || cursor.isKeyword(t, "delegate")
    }

    private func flatBlockOpcode(_ t: Token) -> Opcode? {
        switch text.text(t) {
        case "block": return .block
        case "loop": return .loop
        case "if": return .if
        case "try_table": return .tryTable
        case "try": return .try
        default: return nil
        }
    }

    private mutating func push(_ frame: Frame, _ frames: inout [Frame]) throws(TextError) {
        guard frames.count < Self.maxNesting else { throw cursor.error("nesting too deep", at: cursor.peek) }
        frames.append(frame)
    }

    // MARK: - Flat blocks

    /// `block`, `loop`, `if`, `try_table` or `try` with its label and type.
    private mutating func openFlat(_ op: Opcode, _ frames: inout [Frame]) throws(TextError) {
        let hint = try branchHint(at: cursor.pos)
        cursor.pos += 1
        let label = cursor.optionalID()
        let type = try blockType()
        recordBranchHint(hint)
        if op == .tryTable {
            emit(Instruction(.tryTable, .tryTable(type, try catchClauses())))
        } else {
            emit(Instruction(op, .block(type)))
        }
        pushLabel(label)
        let kind: FlatKind = op == .if ? .if : op == .try ? .try : .block
        try push(.flat(label: labels.last ?? nil, kind: kind), &frames)
    }

    /// `end`, `else`, `catch`, `catch_all` or `delegate` of the innermost
    /// flat block.
    private mutating func flatDelimiter(_ t: Token, label: String?, kind: FlatKind, _ frames: inout [Frame]) throws(TextError) {
        switch text.text(t) {
        case "end":
            cursor.pos += 1
            try closingLabel(label)
            emit(Instruction(.end))
            labels.removeLast()
            frames.removeLast()
        case "else" where kind == .if:
            cursor.pos += 1
            try closingLabel(label)
            emit(Instruction(.else))
            frames[frames.count - 1] = .flat(label: label, kind: .else)
        case "catch" where kind == .try || kind == .catch:
            cursor.pos += 1
            emit(Instruction(.catch, .index(try index(tags))))
            frames[frames.count - 1] = .flat(label: label, kind: .catch)
        case "catch_all" where kind == .try || kind == .catch:
            cursor.pos += 1
            emit(Instruction(.catchAll))
            frames[frames.count - 1] = .flat(label: label, kind: .catchAll)
        case "delegate" where kind == .try:
            cursor.pos += 1
            // The label is resolved outside the `try`.
            labels.removeLast()
            frames.removeLast()
            emit(Instruction(.delegate, .index(try labelIndex())))
        default:
            throw cursor.unexpected()
        }
    }

    // MARK: - Folded instructions

    /// `(` and an instruction keyword: opens a folded block, `if`, `try`, or
    /// a plain instruction whose folded operands come first.
    private mutating func openFolded(_ frames: inout [Frame]) throws(TextError) {
        let hint = try branchHint(at: cursor.pos)
        try cursor.expectLeftParen()
        let keyword = cursor.peek
        guard keyword.kind == .keyword else { throw cursor.unexpected() }
        switch text.text(keyword) {
        case "block", "loop", "try_table":
            cursor.pos += 1
            let label = cursor.optionalID()
            let type = try blockType()
            recordBranchHint(hint)
            if cursor.isKeyword(keyword, "try_table") {
                emit(Instruction(.tryTable, .tryTable(type, try catchClauses())))
            } else {
                emit(Instruction(cursor.isKeyword(keyword, "block") ? .block : .loop, .block(type)))
            }
            pushLabel(label)
            try push(.foldedBlock, &frames)
        case "if":
            cursor.pos += 1
            let label = cursor.optionalID()
            let type = try blockType()
            try push(.foldedIfCondition(label: label, type: type), &frames)
            deferBranchHint(hint, depth: frames.count)
        case "try":
            cursor.pos += 1
            let label = cursor.optionalID()
            let type = try blockType()
            recordBranchHint(hint)
            emit(Instruction(.try, .block(type)))
            pushLabel(label)
            guard cursor.takeOpen("do") else { throw cursor.unexpected() }
            try push(.foldedTryBody, &frames)
        default:
            if isBlockDelimiter(keyword) { throw cursor.unexpected() }
            cursor.pos += 1
            try push(.operands(try operation(keyword)), &frames)
            deferBranchHint(hint, depth: frames.count)
        }
    }

    /// The `)` that closes the innermost folded construct.
    private mutating func closeFolded(_ top: Frame, _ frames: inout [Frame]) throws(TextError) {
        switch top {
        case .foldedBlock:
            cursor.pos += 1
            labels.removeLast()
            emit(Instruction(.end))
            frames.removeLast()
        case .foldedIfBranch(let isElse):
            cursor.pos += 1
            if !isElse && cursor.takeOpen("else") {
                emit(Instruction(.else))
                frames[frames.count - 1] = .foldedIfBranch(isElse: true)
            } else {
                frames[frames.count - 1] = .foldedIfEnd
            }
        case .foldedTryBody:
            cursor.pos += 1
            frames[frames.count - 1] = .foldedTryClauses(hasHandlers: false, hasCatchAll: false)
        case .foldedTryHandler(let isCatchAll):
            cursor.pos += 1
            frames[frames.count - 1] = .foldedTryClauses(hasHandlers: true, hasCatchAll: isCatchAll)
        default:
            // A flat block is still open.
            throw cursor.unexpected()
        }
    }

    /// `(catch tag ...)`, `(catch_all ...)`, `(delegate label)` or the `)`
    /// of a folded legacy `try`.
    private mutating func foldedTryClause(_ frames: inout [Frame], hasHandlers: Bool, hasCatchAll: Bool) throws(TextError) {
        if !hasCatchAll && cursor.takeOpen("catch") {
            emit(Instruction(.catch, .index(try index(tags))))
            frames[frames.count - 1] = .foldedTryHandler(isCatchAll: false)
        } else if !hasCatchAll && cursor.takeOpen("catch_all") {
            emit(Instruction(.catchAll))
            frames[frames.count - 1] = .foldedTryHandler(isCatchAll: true)
        } else if !hasHandlers && cursor.takeOpen("delegate") {
            labels.removeLast()
            emit(Instruction(.delegate, .index(try labelIndex())))
            try cursor.expectRightParen()
            try cursor.expectRightParen()
            frames.removeLast()
        } else {
            try cursor.expectRightParen()
            labels.removeLast()
            emit(Instruction(.end))
            frames.removeLast()
        }
    }

    // MARK: - Labels

    private mutating func pushLabel(_ id: Token?) {
        labels.append(id.map { text.identifier($0) })
    }

    /// After `end` or `else`: an optional identifier that must repeat the
    /// block's label.
    private mutating func closingLabel(_ label: String?) throws(TextError) {
        guard let id = cursor.optionalID() else { return }
        guard let label, text.identifier(id) == label else { throw cursor.error("mismatching label", at: id) }
    }

    /// A label index: a depth as written, or the innermost label of that name.
    mutating func labelIndex() throws(TextError) -> UInt32 {
        let t = cursor.peek
        switch t.kind {
        case .nat:
            return try cursor.u32()
        case .id:
            let name = text.identifier(t)
            guard let i = labels.lastIndex(where: { $0 == name }) else {
                throw cursor.error("unknown label \(text.text(t))", at: t)
            }
            cursor.pos += 1
            return UInt32(labels.count - 1 - i)
        default:
            throw cursor.unexpected()
        }
    }

    /// `(catch tag label)`, `(catch_ref tag label)`, `(catch_all label)`,
    /// `(catch_all_ref label)` of `try_table`, resolved outside its block.
    private mutating func catchClauses() throws(TextError) -> [Catch] {
        var catches: [Catch] = []
        while true {
            if cursor.takeOpen("catch") {
                let tag = try index(tags)
                catches.append(.catch(tag: tag, label: try labelIndex()))
            } else if cursor.takeOpen("catch_ref") {
                let tag = try index(tags)
                catches.append(.catchRef(tag: tag, label: try labelIndex()))
            } else if cursor.takeOpen("catch_all") {
                catches.append(.catchAll(label: try labelIndex()))
            } else if cursor.takeOpen("catch_all_ref") {
                catches.append(.catchAllRef(label: try labelIndex()))
            } else {
                return catches
            }
            try cursor.expectRightParen()
        }
    }
}
