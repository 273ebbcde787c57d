import Foundation
import WasmEngines
import WasmScript

/// Small scripts written to a fresh temporary folder, run with the real
/// runner, for the report and gate tests.
struct TestScripts {
    let folder: String

    init(_ scripts: [String: [String]]) throws {
        folder = NSTemporaryDirectory() + "wasmscript-tests-\(UUID().uuidString)"
        for (name, lines) in scripts {
            let path = (folder as NSString).appendingPathComponent(name)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }

    /// Runs every script of the folder on the interpreter, optionally with
    /// an injected fault, as `wasmcheck wast` does.
    func run(fault: InjectedFault? = nil, suite: String = "test-suite") throws -> ConformanceRun {
        let runner = WastRunner(features: .all) { InProcessEngine.interpreter(fault: fault) }
        let files = WastSuite.collectFiles([folder])
        let reports = WastSuite.run(files, runner: runner, jobs: 2)
        return ConformanceRun(engine: "interpreter", suite: suite, features: "all", files: reports)
    }
}

/// The script the gate tests use. Line numbers matter: the tests name
/// them.
let gateScript = [
    /* 1 */ "(module",
    /* 2 */ "  (func (export \"add\") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))",
    /* 3 */ "  (func (export \"pair\") (result i32 i32) (i32.const 1) (i32.const 2))",
    /* 4 */ "  (func (export \"half\") (result f32) (f32.const 0.5)))",
    /* 5 */ "(assert_return (invoke \"add\" (i32.const 1) (i32.const 2)) (i32.const 3))",
    /* 6 */ ";; a known failure: the script is wrong on purpose",
    /* 7 */ "(assert_return (invoke \"add\" (i32.const 2) (i32.const 2)) (i32.const 5))",
    /* 8 */ "(assert_return (invoke \"half\") (f32.const 0.5))",
    /* 9 */ "(assert_return (invoke \"pair\") (i32.const 1) (i32.const 2))",
    /* 10 */ "(assert_trap (invoke \"add\" (i32.const 0) (i32.const 0)) \"unreachable\")",
]

/// A script without i32 results: the i32 fault cannot touch it.
let floatScript = [
    "(module (func (export \"neg\") (param f64) (result f64) (f64.neg (local.get 0))))",
    "(assert_return (invoke \"neg\" (f64.const 1)) (f64.const -1))",
    "(assert_return (invoke \"neg\" (f64.const -2)) (f64.const 2))",
]
