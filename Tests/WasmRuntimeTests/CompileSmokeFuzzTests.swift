import Foundation
import Testing
import WasmBinary
import WasmInterpreter
import WasmRuntime
import WasmSyntax
import WasmText

/// Random and mutated modules must never crash or hang the front end:
/// decoding, validation and translation to interpreter IR (`Module(engine:bytes:)`)
/// either succeed or give a malformed/invalid error.
///
/// Seeds are every module of the official 2.0 suite (so mutations start from
/// code that exercises every instruction family). 20,000 inputs unless
/// `WASMCHECK_FUZZ_INPUTS` says otherwise; `ci/smoke-fuzz.sh` runs a million
/// in release mode. `WASMCHECK_FUZZ_SEED` picks another deterministic sequence.
@Suite struct CompileSmokeFuzzTests {
    /// SplitMix64: small, fast, deterministic.
    struct Random {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
    }

    /// The binaries of every text and binary module in the 2.0 suite.
    static func suiteModules() throws -> [[UInt8]] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let suite = root.deletingLastPathComponent().appendingPathComponent("shared/wasm-testsuite-2.0")
        let files = try FileManager.default.contentsOfDirectory(atPath: suite.path).filter { $0.hasSuffix(".wast") }.sorted()
        var modules: [[UInt8]] = []
        for file in files {
            let data = try Data(contentsOf: suite.appendingPathComponent(file))
            guard let script = try? parseScript(utf8: [UInt8](data), fileName: file) else { continue }
            for command in script.commands {
                guard case .module(let m) = command.kind else { continue }
                switch m.source {
                case .text(let module): modules.append(encodeModule(module))
                case .binary(let bytes): modules.append(bytes)
                default: break
                }
            }
        }
        return modules
    }

    static let interestingBytes: [UInt8] = [0x00, 0x01, 0x0B, 0x0C, 0x0E, 0x10, 0x11, 0x20, 0x40, 0x41, 0x60, 0x6A, 0x70, 0x7B, 0x7F, 0x80, 0xFC, 0xFD, 0xFF]

    static func mutate(_ input: [UInt8], _ random: inout Random) -> [UInt8] {
        var bytes = input
        for _ in 0...random.below(3) {
            // Mostly past the header, where the interesting structure is.
            let position = bytes.count <= 8 ? random.below(bytes.count + 1) : 8 + random.below(bytes.count - 7)
            switch random.below(6) {
            case 0 where position < bytes.count:
                bytes[position] ^= UInt8(1) << UInt8(random.below(8))
            case 1 where position < bytes.count:
                bytes[position] = interestingBytes[random.below(interestingBytes.count)]
            case 2:
                bytes.insert(interestingBytes[random.below(interestingBytes.count)], at: position)
            case 3 where position < bytes.count:
                bytes.remove(at: position)
            case 4 where position < bytes.count:
                let length = Swift.min(random.below(8) + 1, bytes.count - position)
                bytes.insert(contentsOf: bytes[position..<(position + length)], at: position)
            default:
                bytes.insert(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F], at: position)
            }
        }
        return bytes
    }

    @Test func mutatedSuiteModulesNeverCrashTheFrontEnd() throws {
        let environment = ProcessInfo.processInfo.environment
        let count = environment["WASMCHECK_FUZZ_INPUTS"].flatMap(Int.init) ?? 20_000
        let seed = environment["WASMCHECK_FUZZ_SEED"].flatMap(UInt64.init) ?? 0xC0DE
        let seeds = try Self.suiteModules()
        #expect(seeds.count > 1000, "the 2.0 suite should provide thousands of seed modules")
        guard !seeds.isEmpty else { return }

        let engine = Engine(tier: Interpreter())
        var random = Random(state: seed)
        var outcomes = (compiled: 0, malformed: 0, invalid: 0, unsupported: 0)
        let start = Date()
        for _ in 0..<count {
            let bytes = Self.mutate(seeds[random.below(seeds.count)], &random)
            do {
                _ = try WasmRuntime.Module(engine: engine, bytes: bytes)
                outcomes.compiled += 1
            } catch {
                switch error.kind {
                case .malformed: outcomes.malformed += 1
                case .invalid: outcomes.invalid += 1
                case .unsupported: outcomes.unsupported += 1
                }
            }
        }
        let seconds = Date().timeIntervalSince(start)
        print("compile smoke fuzz: \(count) inputs in \(String(format: "%.1f", seconds))s (\(Int(Double(count) / max(seconds, 1e-9))) /s): \(outcomes.compiled) compiled, \(outcomes.malformed) malformed, \(outcomes.invalid) invalid, \(outcomes.unsupported) over limits")
        // Mutations must reach every stage, or the test exercises only one.
        #expect(count < 1000 || (outcomes.compiled > count / 50 && outcomes.malformed > count / 50 && outcomes.invalid > count / 200))
    }
}
