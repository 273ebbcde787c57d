import Foundation
import Testing
import WasmBinary
import WasmSyntax

/// Random and mutated inputs must never crash the decoder; whatever decodes
/// must have decodable bodies and survive an encode/decode round trip.
///
/// The number of inputs is 20,000 unless `WASMCHECK_FUZZ_INPUTS` says
/// otherwise (a script can run a million); `WASMCHECK_FUZZ_SEED` picks
/// another deterministic sequence.
@Suite struct DecoderSmokeFuzzTests {
    /// SplitMix64: small, fast and deterministic.
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

        mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
    }

    static let interestingBytes: [UInt8] = [0x00, 0x01, 0x0B, 0x40, 0x41, 0x60, 0x70, 0x7F, 0x80, 0xFB, 0xFC, 0xFD, 0xFF]
    static let featureSets: [Features] = [.all, .all, .wasm3, .wasm2, .mvp]

    static func mutate(_ input: [UInt8], _ random: inout Random) -> [UInt8] {
        var bytes = input
        for _ in 0...random.below(4) {
            let position = random.below(bytes.count + 1)
            switch random.below(7) {
            case 0 where position < bytes.count:
                bytes[position] ^= UInt8(1) << UInt8(random.below(8))
            case 1 where position < bytes.count:
                bytes[position] = interestingBytes[random.below(interestingBytes.count)]
            case 2:
                bytes.insert(random.byte(), at: position)
            case 3 where position < bytes.count:
                bytes.remove(at: position)
            case 4:
                bytes = Array(bytes[..<position])
            case 5 where position < bytes.count:
                let length = Swift.min(random.below(16) + 1, bytes.count - position)
                bytes.insert(contentsOf: bytes[position..<(position + length)], at: position)
            default:
                // A LEB128 number that claims a lot.
                bytes.insert(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F], at: position)
            }
        }
        return bytes
    }

    /// Whether the input decoded, and what went wrong if anything did.
    static func check(_ bytes: [UInt8], features: Features) -> (decoded: Bool, failure: String?) {
        guard let module = try? decodeModule(bytes, features: features) else { return (false, nil) }
        return (true, checkDecoded(module, features: features))
    }

    static func checkDecoded(_ module: Module, features: Features) -> String? {
        for function in module.functions {
            do {
                _ = try decodeInstructions(function.body, features: features)
            } catch {
                return "a body of a decoded module does not decode: \(error)"
            }
        }
        let encoded = encodeModule(module)
        do {
            let again = try decodeModule(encoded, features: features)
            if again != module { return "decode(encode(m)) != m" }
            if encodeModule(again) != encoded { return "re-encoding differs" }
        } catch {
            return "the encoding of a decoded module does not decode: \(error)"
        }
        return nil
    }

    @Test func randomAndMutatedInputsNeverCrash() {
        let environment = ProcessInfo.processInfo.environment
        let count = environment["WASMCHECK_FUZZ_INPUTS"].flatMap(Int.init) ?? 20_000
        let seed = environment["WASMCHECK_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x5EED
        var random = Random(state: seed)
        let seeds = SampleModules.seeds
        var decoded = 0
        var failures: [String] = []
        for i in 0..<count {
            let bytes: [UInt8]
            if random.below(8) == 0 {
                // Random bytes, usually behind a valid header.
                let tail = (0..<random.below(64)).map { _ in random.byte() }
                bytes = (random.below(4) == 0 ? [] : Bin.header) + tail
            } else {
                bytes = Self.mutate(seeds[random.below(seeds.count)], &random)
            }
            let features = Self.featureSets[random.below(Self.featureSets.count)]
            let result = Self.check(bytes, features: features)
            if result.decoded { decoded += 1 }
            if let failure = result.failure, failures.count < 20 {
                failures.append("input \(i) \(bytes.map { String($0, radix: 16) }): \(failure)")
            }
        }
        print("decoder smoke fuzz: \(count) inputs, \(decoded) decoded, \(failures.count) failures")
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        // The mutations are small: some inputs must still decode, or the
        // test would only exercise the header check.
        #expect(count < 1000 || decoded > count / 100, "only \(decoded) of \(count) inputs decoded")
    }

    /// Every prefix of a valid module decodes (at a section boundary) or
    /// fails with an error that points into the prefix.
    @Test func everyTruncationFailsCleanly() {
        for seed in SampleModules.seeds {
            for length in 0..<seed.count {
                do {
                    _ = try decodeModule(Array(seed[..<length]))
                } catch {
                    #expect(error.offset >= 0 && error.offset <= length, "\(error)")
                }
            }
            #expect((try? decodeModule(seed)) != nil)
        }
    }
}
