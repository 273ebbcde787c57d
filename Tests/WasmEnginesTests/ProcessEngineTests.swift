import Foundation
import Testing
@testable import WasmEngines

/// A child engine that dies, hangs or talks nonsense is a failure of that
/// engine (crash, timeout, protocol), and the next request starts a new
/// child.
@Suite("Engines in child processes")
struct ProcessEngineTests {
    /// A toy engine in Python: answers hello, then misbehaves as told.
    static let toy = """
        import sys, json, os, time
        mode = sys.argv[1]
        for line in sys.stdin:
            r = json.loads(line)
            if r["op"] == "hello":
                print(json.dumps({"id": r["id"], "version": 1, "engine": "toy", "features": ["simd", "unknown-feature"]}), flush=True)
                continue
            if mode == "crash":
                os.kill(os.getpid(), 9)
            if mode == "hang":
                time.sleep(60)
            if mode == "garbage":
                print("not json", flush=True)
                continue
            if mode == "wrong-id":
                print(json.dumps({"id": -1}), flush=True)
                continue
            print(json.dumps({"id": r["id"], "module": 0}), flush=True)
        """

    func toy(_ mode: String, timeout: Double = 5) -> ProcessEngine {
        ProcessEngine(name: "toy", command: ["python3", "-c", Self.toy, mode], timeout: timeout)
    }

    @Test func negotiatesAndAnswers() throws {
        let engine = toy("ok")
        #expect(try engine.features() == .simd)
        #expect(engine.version == 1)
        #expect(engine.engineDescription == "toy")
        #expect(try engine.compile([1, 2, 3]) == .compiled(ModuleHandle(0)))
        engine.stop()
    }

    @Test func aDeadChildIsACrashAndRestarts() throws {
        let engine = toy("crash")
        do {
            _ = try engine.compile([0])
            Issue.record("no failure")
        } catch {
            #expect(error.kind == .crash)
            #expect(error.message.contains("signal 9"))
        }
        #expect(throws: EngineFailure.self) { try engine.compile([0]) }
        #expect(engine.restarts == 1)
    }

    @Test func aSilentChildTimesOut() throws {
        let engine = toy("hang", timeout: 0.5)
        let start = Date()
        do {
            _ = try engine.compile([0])
            Issue.record("no failure")
        } catch {
            #expect(error.kind == .timeout)
        }
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test(arguments: ["garbage", "wrong-id"])
    func nonsenseIsAProtocolViolation(_ mode: String) throws {
        let engine = toy(mode)
        do {
            _ = try engine.compile([0])
            Issue.record("no failure")
        } catch {
            #expect(error.kind == .protocolViolation)
        }
    }

    @Test func aMissingProgramIsUnavailable() {
        let engine = ProcessEngine(name: "none", command: ["/nonexistent/engine"])
        do {
            _ = try engine.features()
            Issue.record("no failure")
        } catch {
            #expect(error.kind == .unavailable || error.kind == .crash)
        }
    }
}
