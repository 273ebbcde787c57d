import Testing
import WasmEngines
import WasmScript

/// The runner answers the `spectest` print functions itself, so that for an
/// engine in another process they are host calls that cross the pipe.
@Suite("spectest host calls")
struct SpectestHostCallTests {
    @Test func theRunnerAnswersEveryPrintCall() throws {
        let scripts = try TestScripts(["print.wast": [
            "(module",
            "  (import \"spectest\" \"print_i32\" (func $p (param i32)))",
            "  (import \"spectest\" \"print_f64_f64\" (func $q (param f64 f64)))",
            "  (func (export \"f\") (result i32) (call $p (i32.const 1)) (call $q (f64.const 1) (f64.const 2)) (i32.const 7)))",
            "(assert_return (invoke \"f\") (i32.const 7))",
            "(assert_return (invoke \"f\") (i32.const 7))",
        ]])
        defer { scripts.remove() }
        let run = try scripts.run()
        #expect(run.counts.passed == 3)  // the module and both assertions
        #expect(run.counts.failed == 0)
        #expect(run.files.map(\.hostCalls) == [4])
    }
}
