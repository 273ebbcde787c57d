import Testing
import WasmScript

/// The runner's negative side: a script whose expectation is wrong (trap
/// message, malformed or invalid message, rejection kind, NaN pattern)
/// must fail, or a conformance run could pass on a tier that gets all of
/// them wrong. Each script pairs a right directive with a wrong one.
@Suite("Wrong expectations fail the run")
struct WrongExpectationTests {
    /// The outcome of each directive of `lines` (one script), by line.
    func outcomes(_ lines: [String]) throws -> [Int: Outcome] {
        let scripts = try TestScripts(["s.wast": lines])
        defer { scripts.remove() }
        let run = try scripts.run()
        let file = try #require(run.files.first)
        #expect(file.error == nil)
        var out: [Int: Outcome] = [:]
        for r in file.results { out[r.line] = r.outcome }
        return out
    }

    func expect(_ lines: [String], passes right: Int, fails wrong: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let o = try outcomes(lines)
        #expect(o[right] == .passed, "line \(right): \(String(describing: o[right]))", sourceLocation: sourceLocation)
        #expect(o[wrong]?.isFailure == true, "line \(wrong) should fail: \(String(describing: o[wrong]))", sourceLocation: sourceLocation)
    }

    @Test func aWrongTrapMessageFails() throws {
        try expect([
            "(module (func (export \"div\") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1))))",
            "(assert_trap (invoke \"div\" (i32.const 1) (i32.const 0)) \"integer divide by zero\")",
            "(assert_trap (invoke \"div\" (i32.const 1) (i32.const 0)) \"integer overflow\")",
        ], passes: 2, fails: 3)
    }

    @Test func aWrongMalformedMessageFails() throws {
        try expect([
            "(assert_malformed (module binary \"\\00asm\" \"\\02\\00\\00\\00\") \"unknown binary version\")",
            "(assert_malformed (module binary \"\\00asm\" \"\\02\\00\\00\\00\") \"magic header not detected\")",
        ], passes: 1, fails: 2)
    }

    @Test func aWrongInvalidMessageFails() throws {
        try expect([
            "(assert_invalid (module (func (result i32) (i64.const 0))) \"type mismatch\")",
            "(assert_invalid (module (func (result i32) (i64.const 0))) \"unknown local\")",
        ], passes: 1, fails: 2)
    }

    /// An invalid module expected malformed, and a malformed one expected
    /// invalid, fail even when the message matches.
    @Test func aWrongRejectionKindFails() throws {
        try expect([
            "(assert_invalid (module (func (result i32) (i64.const 0))) \"type mismatch\")",
            "(assert_malformed (module binary \"\\00asm\\01\\00\\00\\00\" \"\\01\\05\\01\\60\\00\\01\\7f\" \"\\03\\02\\01\\00\" \"\\0a\\06\\01\\04\\00\\42\\00\\0b\") \"type mismatch\")",
        ], passes: 1, fails: 2)
        try expect([
            "(assert_malformed (module binary \"\\00asm\" \"\\02\\00\\00\\00\") \"unknown binary version\")",
            "(assert_invalid (module binary \"\\00asm\" \"\\02\\00\\00\\00\") \"unknown binary version\")",
        ], passes: 1, fails: 2)
    }

    // One line each: the tests name the directives' lines.
    let nanModule = "(module (func (export \"arithmetic\") (result f32) (f32.const nan:0x600001))"
        + " (func (export \"canonical\") (result f32) (f32.const nan))"
        + " (func (export \"signalling\") (result f64) (f64.const nan:0x1))"
        + " (func (export \"number\") (result f32) (f32.const 1))"
        + " (func (export \"signalling32\") (result f32) (f32.const nan:0x200001)))"

    @Test func aCanonicalPatternRejectsAnArithmeticNaN() throws {
        try expect([nanModule, "(assert_return (invoke \"arithmetic\") (f32.const nan:arithmetic))",
                    "(assert_return (invoke \"arithmetic\") (f32.const nan:canonical))"], passes: 2, fails: 3)
    }

    @Test func aNaNPatternRejectsANumber() throws {
        try expect([nanModule, "(assert_return (invoke \"canonical\") (f32.const nan:canonical))",
                    "(assert_return (invoke \"number\") (f32.const nan:arithmetic))"], passes: 2, fails: 3)
    }

    @Test func anExactNaNMustMatchItsPayload() throws {
        try expect([nanModule, "(assert_return (invoke \"arithmetic\") (f32.const nan:0x600001))",
                    "(assert_return (invoke \"arithmetic\") (f32.const nan:0x600002))"], passes: 2, fails: 3)
    }

    @Test func anArithmeticPatternRejectsASignallingNaN() throws {
        try expect([nanModule, "(assert_return (invoke \"arithmetic\") (f32.const nan:arithmetic))",
                    "(assert_return (invoke \"signalling\") (f64.const nan:arithmetic))"], passes: 2, fails: 3)
    }

    @Test func anExactSignallingNaNMatchesItself() throws {
        try expect([nanModule, "(assert_return (invoke \"signalling\") (f64.const nan:0x1))",
                    "(assert_return (invoke \"signalling\") (f64.const nan:0x2))"], passes: 2, fails: 3)
    }

    @Test func anF32SignallingNaNKeepsItsBits() throws {
        try expect([nanModule, "(assert_return (invoke \"signalling32\") (f32.const nan:0x200001))",
                    "(assert_return (invoke \"signalling32\") (f32.const nan:arithmetic))"], passes: 2, fails: 3)
    }
}
