import WasmSyntax

/// The code section: locals and function bodies.
extension ModuleDecoder {
    mutating func readCodeSection() throws(DecodingError) {
        codes = try readVector { (d: inout ModuleDecoder) throws(DecodingError) in try d.readCode() }
    }

    /// One code entry: its size, the local declarations and the body.
    ///
    /// The body is checked instruction by instruction (encodings, features
    /// and block structure) without building instructions, reading on past
    /// the entry's declared end as the reference decoder does, so that a
    /// missing `end` is reported as it reports it; the size is checked
    /// afterwards.
    mutating func readCode() throws(DecodingError) -> (locals: [LocalRun], body: ArraySlice<UInt8>) {
        let size = try reader.readLength()
        let start = reader.offset
        let locals = try readLocals()
        let bodyStart = reader.offset
        guard scansBodies else {
            let end = start + size
            guard end <= bytes.count else { throw .unexpectedEnd(at: bytes.count) }
            guard bodyStart <= end else { throw DecodingError(Message.sectionSizeMismatch, at: start) }
            reader.offset = end
            return (locals, bytes[bodyStart..<end])
        }
        try scanBody()
        guard reader.offset == start + size else {
            throw DecodingError(Message.sectionSizeMismatch, at: start)
        }
        return (locals, bytes[bodyStart..<reader.offset])
    }

    /// The runs of local declarations. Their total is limited to
    /// `maxLocals`; nothing is allocated per local.
    mutating func readLocals() throws(DecodingError) -> [LocalRun] {
        let position = reader.offset
        let count = try reader.readLength()
        var runs: [LocalRun] = []
        runs.reserveCapacity(Swift.min(count, 64))
        var total: UInt64 = 0
        for _ in 0..<count {
            let n = try reader.readU32()
            let type = try reader.readValueType()
            total += UInt64(n)
            runs.append(LocalRun(count: n, type: type))
        }
        guard total <= Self.maxLocals else { throw DecodingError(Message.tooManyLocals, at: position) }
        return runs
    }

    /// Checks one body up to its final `end` and notes whether it uses a
    /// data index.
    mutating func scanBody() throws(DecodingError) {
        var instructions = InstructionReader(continuing: reader)
        nesting.reset()
        while true {
            let position = instructions.offset
            let opcode = try instructions.readOpcode()
            try instructions.skipImmediate(for: opcode)
            switch opcode {
            case .memoryInit, .dataDrop, .arrayNewData, .arrayInitData: usesDataIndices = true
            default: break
            }
            if try nesting.apply(opcode, at: position) { break }
        }
        reader.offset = instructions.offset
    }
}
