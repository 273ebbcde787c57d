import WasmEngines
import Foundation
import WasmBinary
import WasmSyntax
import WasmValidation

/// Shrinks a module while a predicate still holds (it "still reproduces"),
/// structure first, then bytes, in the manner of wasm-tools shrink and
/// C-Reduce: each pass proposes smaller candidates and keeps those the
/// predicate accepts, and the passes repeat until none makes progress.
///
/// Structure-aware passes work on the decoded module: drop exports, the
/// start function, custom sections; delete functions, globals, tables,
/// memories, tags, element and data segments and type groups (renumbering
/// the indices after them, when nothing refers to the item); replace
/// function bodies by `unreachable`; delete runs of instructions, unwrap
/// blocks, simplify constants; shrink locals, limits and segment bytes.
/// Then a byte pass deletes chunks of the encoding (for modules that do
/// not decode, or to squeeze the last bytes).
public struct Reducer {
    /// Whether a candidate is still interesting.
    public typealias Predicate = ([UInt8]) -> Bool

    /// When set, candidates must decode and pass our validator with these
    /// features before the predicate runs (cheap, and a divergence between
    /// engines is only meaningful on a valid module). Leave nil for
    /// validation findings, whose module is invalid on purpose.
    public var validateWith: Features?
    /// Give up improving after this time.
    public var deadline: Date?
    public var log: ((String) -> Void)?

    public init(validateWith: Features? = nil, deadline: Date? = nil) {
        self.validateWith = validateWith
        self.deadline = deadline
    }

    public struct Result {
        public var bytes: [UInt8]
        public var originalSize: Int
        /// Candidates tried with the predicate, and accepted.
        public var tests = 0
        public var accepted = 0
    }

    public func reduce(_ bytes: [UInt8], while predicate: @escaping Predicate) -> Result {
        var state = State(best: bytes, result: Result(bytes: bytes, originalSize: bytes.count), reducer: self, predicate: predicate)
        var round = 0
        while !state.expired {
            round += 1
            let before = state.best.count
            if var module = try? decodeModule(state.best) {
                state.module = module
                structurePasses(&state, &module)
            }
            bytePass(&state)
            log?("round \(round): \(before) -> \(state.best.count) bytes (\(state.result.tests) tests)")
            if state.best.count >= before { break }
        }
        var result = state.result
        result.bytes = state.best
        return result
    }

    /// The search state: the best module so far.
    struct State {
        var best: [UInt8]
        var module: Module?
        var result: Result
        let reducer: Reducer
        let predicate: Predicate

        var expired: Bool { reducer.deadline.map { Date() >= $0 } ?? false }

        /// Tries a candidate module; keeps it if it is smaller and still
        /// interesting.
        mutating func tryModule(_ candidate: Module) -> Bool {
            guard !expired else { return false }
            let bytes = encodeModule(candidate)
            guard bytes.count <= best.count, bytes != best else { return false }
            if let features = reducer.validateWith {
                do { try validateModule(candidate, features: features) } catch { return false }
            }
            return tryBytes(bytes, module: candidate)
        }

        mutating func tryBytes(_ bytes: [UInt8], module: Module? = nil) -> Bool {
            guard !expired, bytes.count <= best.count, bytes != best else { return false }
            if module == nil, let features = reducer.validateWith {
                guard let decoded = try? decodeModule(bytes, features: features) else { return false }
                do { try validateModule(decoded, features: features) } catch { return false }
            }
            result.tests += 1
            guard predicate(bytes) else { return false }
            result.accepted += 1
            best = bytes
            self.module = module ?? (try? decodeModule(bytes))
            return true
        }
    }

    // MARK: Structure

    private func structurePasses(_ state: inout State, _ module: inout Module) {
        func current() -> Module? { state.module }

        // Custom sections and the start function.
        if var m = current(), !m.customSections.isEmpty {
            m.customSections = []
            _ = state.tryModule(m)
        }
        if var m = current(), m.start != nil {
            m.start = nil
            _ = state.tryModule(m)
        }

        // Exports: all but one, then chunks, then one at a time.
        if let m = current(), m.exports.count > 1 {
            for keep in m.exports.indices.reversed() {
                var c = m
                c.exports = [m.exports[keep]]
                if state.tryModule(c) { break }
            }
        }
        deleteChunks(&state, count: { $0.exports.count }) { m, range in
            var c = m
            c.exports.removeSubrange(range)
            return c
        }

        // Function bodies: `unreachable` alone (valid for any type).
        if let m = current() {
            let unreachable: ArraySlice<UInt8> = [0x00, 0x0B]
            for i in m.functions.indices {
                guard var c = current(), i < c.functions.count, c.functions[i].body != unreachable || !c.functions[i].locals.isEmpty else { continue }
                c.functions[i].body = unreachable
                c.functions[i].locals = []
                _ = state.tryModule(c)
            }
        }

        // Items of every index space, last first (fewer renumberings fail).
        for space: IndexSpace in [.function, .element, .data, .global, .table, .memory, .tag, .type] {
            var k = (current()?.definedCount(space) ?? 0) - 1
            while k >= 0, !state.expired {
                if let m = current(), let c = m.removing(space, k) { _ = state.tryModule(c) }
                k -= 1
            }
        }

        // Instructions, function by function.
        var f = 0
        while let m = current(), f < m.functions.count, !state.expired {
            instructionPasses(&state, function: f)
            f += 1
        }

        // Locals, limits, segment contents, element items.
        if let m = current() {
            for i in m.functions.indices {
                for r in (current()?.functions[i].locals.indices ?? 0..<0).reversed() {
                    guard var c = current(), i < c.functions.count, r < c.functions[i].locals.count else { continue }
                    c.functions[i].locals.remove(at: r)
                    _ = state.tryModule(c)
                }
            }
        }
        for i in current()?.memories.indices ?? 0..<0 {
            for shrink in [{ (l: inout Limits) in l.max = nil }, { (l: inout Limits) in l.min = 0 }, { (l: inout Limits) in l.min = Swift.min(l.min, 1) }] {
                guard var c = current(), i < c.memories.count else { continue }
                shrink(&c.memories[i].limits)
                _ = state.tryModule(c)
            }
        }
        for i in current()?.tables.indices ?? 0..<0 {
            for shrink in [{ (l: inout Limits) in l.max = nil }, { (l: inout Limits) in l.min = 0 }, { (l: inout Limits) in l.min = Swift.min(l.min, 1) }] {
                guard var c = current(), i < c.tables.count else { continue }
                shrink(&c.tables[i].type.limits)
                _ = state.tryModule(c)
            }
        }
        for i in current()?.datas.indices ?? 0..<0 {
            for keep in [0, 1] {
                guard var c = current(), i < c.datas.count, c.datas[i].bytes.count > keep else { continue }
                c.datas[i].bytes = Array(c.datas[i].bytes.prefix(keep))
                _ = state.tryModule(c)
            }
        }
        for i in current()?.elements.indices ?? 0..<0 {
            guard var c = current(), i < c.elements.count, c.elements[i].items.count > 0 else { continue }
            switch c.elements[i].items {
            case .functions: c.elements[i].items = .functions([])
            case .expressions: c.elements[i].items = .expressions([])
            }
            _ = state.tryModule(c)
        }
        for i in current()?.globals.indices ?? 0..<0 {
            guard var c = current(), i < c.globals.count else { continue }
            var simplified = c.globals[i].initializer
            simplify(&simplified)
            guard simplified != c.globals[i].initializer else { continue }
            c.globals[i].initializer = simplified
            _ = state.tryModule(c)
        }
    }

    /// Deletes chunks of a list (halves, quarters, ... single items).
    private func deleteChunks(_ state: inout State, count: (Module) -> Int, _ delete: (Module, Range<Int>) -> Module) {
        guard let m = state.module else { return }
        var chunk = Swift.max(1, count(m) / 2)
        while chunk >= 1, !state.expired {
            var start = 0
            while let m = state.module, start < count(m), !state.expired {
                let range = start..<Swift.min(count(m), start + chunk)
                if !state.tryModule(delete(m, range)) { start += chunk }
            }
            if chunk == 1 { break }
            chunk /= 2
        }
    }

    private func body(_ state: State, _ f: Int) -> [Instruction]? {
        guard let m = state.module, f < m.functions.count else { return nil }
        return try? decodeInstructions(m.functions[f].body)
    }

    private func replacingBody(_ state: State, _ f: Int, _ instructions: [Instruction]) -> Module? {
        guard var m = state.module, f < m.functions.count else { return nil }
        var writer = BinaryWriter()
        for inst in instructions { writer.instruction(inst) }
        m.functions[f].body = writer.bytes[...]
        return m
    }

    private func instructionPasses(_ state: inout State, function f: Int) {
        // Delete runs of instructions (never the final `end`).
        guard let initial = body(state, f) else { return }
        var chunk = Swift.max(1, (initial.count - 1) / 2)
        while chunk >= 1, !state.expired {
            var start = 0
            while let b = body(state, f), start < b.count - 1, !state.expired {
                var c = b
                c.removeSubrange(start..<Swift.min(b.count - 1, start + chunk))
                if let m = replacingBody(state, f, c), state.tryModule(m) { continue }
                start += 1
            }
            if chunk == 1 { break }
            chunk /= 2
        }

        // A `drop` with what produced its value: generated code pushes
        // values and drops them much later, which contiguous deletion
        // cannot undo. Try short runs before each `drop`, nearest first.
        var k = (body(state, f)?.count ?? 0) - 1
        while k > 0, !state.expired {
            guard let b = body(state, f), k < b.count else { k -= 1; continue }
            if b[k].opcode == .drop {
                search: for start in stride(from: k - 1, through: Swift.max(0, k - 32), by: -1) {
                    for length in [1, 2, 3] where start + length <= k {
                        var c = b
                        c.remove(at: k)
                        c.removeSubrange(start..<start + length)
                        if let m = replacingBody(state, f, c), state.tryModule(m) {
                            k = Swift.min(k, (body(state, f)?.count ?? 0))
                            break search
                        }
                    }
                }
            }
            k -= 1
        }

        // Unwrap blocks: keep the body, drop `block`/`loop`/`if` and its `end`.
        var i = 0
        while let b = body(state, f), i < b.count, !state.expired {
            if [.block, .loop, .if].contains(b[i].opcode), let end = matchingEnd(b, i) {
                var c = b
                c.remove(at: end)
                c.remove(at: i)
                if let m = replacingBody(state, f, c), state.tryModule(m) { continue }
            }
            i += 1
        }

        // Simpler constants.
        if let b = body(state, f) {
            for j in b.indices {
                guard var c = body(state, f), j < c.count else { break }
                var one = [c[j]]
                simplify(&one)
                guard one[0] != c[j] else { continue }
                c[j] = one[0]
                if let m = replacingBody(state, f, c) { _ = state.tryModule(m) }
            }
        }
    }

    /// The index of the `end` closing the block opened at `open`.
    private func matchingEnd(_ b: [Instruction], _ open: Int) -> Int? {
        var depth = 0
        for k in open..<b.count {
            switch b[k].opcode {
            case .block, .loop, .if, .tryTable, .try: depth += 1
            case .end:
                depth -= 1
                if depth == 0 { return k }
            default: break
            }
        }
        return nil
    }

    /// Constants become zero (or one, if zero already).
    private func simplify(_ e: inout [Instruction]) {
        for k in e.indices {
            switch e[k].immediate {
            case .i32(let v) where v != 0: e[k].immediate = .i32(v == 1 ? 0 : (v > 0 && v < 16 ? 1 : 0))
            case .i64(let v) where v != 0: e[k].immediate = .i64(v == 1 ? 0 : (v > 0 && v < 16 ? 1 : 0))
            case .f32(let v) where v != 0: e[k].immediate = .f32(0)
            case .f64(let v) where v != 0: e[k].immediate = .f64(0)
            case .v128(let v) where v != .zero: e[k].immediate = .v128(.zero)
            default: break
            }
        }
    }

    // MARK: Bytes

    /// Deletes chunks of bytes after the 8-byte header (most candidates do
    /// not decode; the predicate decides).
    private func bytePass(_ state: inout State) {
        guard state.best.count > 8, state.best.count <= 1 << 16 else { return }
        var chunk = Swift.max(1, (state.best.count - 8) / 2)
        while chunk >= 1, !state.expired {
            var start = 8
            while start < state.best.count, !state.expired {
                var c = state.best
                c.removeSubrange(start..<Swift.min(c.count, start + chunk))
                if state.tryBytes(c) { continue }
                start += chunk
            }
            if chunk == 1 { break }
            chunk /= 2
        }
    }
}
