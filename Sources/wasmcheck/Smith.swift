import ArgumentParser
import Foundation
import WasmBinary
import WasmGenerator
import WasmSyntax
import WasmText
import WasmValidation

/// `wasmcheck smith`: the structure-aware module generator. Turns a seed
/// file (any bytes) into a valid module, or reports opcode coverage over
/// many random seeds.
struct Smith: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a valid WebAssembly module from a seed file (structure-aware, like wasm-smith).",
        discussion: """
            Equal seed bytes give equal modules. The JSON file of --config may set any GeneratorConfig field \
            (features, swarm, size limits, fuel, noTraps, canonicalizeNaNs, exportAllFunctions, template, ...). \
            --stats N generates N modules from random seeds and lists the opcodes they use.
            """
    )

    @ArgumentParser.Argument(help: "The seed file, or - for standard input.") var seed: String?

    @Option(name: .shortAndLong, help: "Where to write the module (default: standard output).") var output: String = "-"

    @Option(help: "A JSON generator configuration.") var config: String?

    @Flag(help: "Write the module in the text format.") var wat = false

    @Flag(help: "Generate an invalid module: a valid one with one mutation that breaks a rule (printed on stderr).")
    var invalid = false

    @Flag(help: "Swarm mode: a random subset of the features and instruction classes per module.") var swarm = false

    @Option(help: "Enabled features (overrides the configuration): all, wasm3, wasm2, mvp, or a comma-separated list.")
    var features: String?

    @Option(help: "Generate N modules from random seeds and report opcode coverage and speed.") var stats: Int?

    @Option(help: "The base seed of --stats (default: random).") var statsSeed: UInt64?

    func run() throws {
        let configuration = try loadConfiguration()
        let template = try loadTemplate(configuration)
        let generator: ModuleGenerator
        do {
            generator = try ModuleGenerator(config: configuration, template: template)
        } catch {
            printError("smith: \(error)")
            throw ExitStatus.usage
        }
        if let count = stats {
            try runStats(generator, count: count)
            return
        }
        guard let seed else {
            printError("smith: give a seed file (or - for standard input), or --stats N")
            throw ExitStatus.usage
        }
        let bytes = try readSeed(seed)
        let module: WasmSyntax.Module
        if invalid {
            let result = generator.generateInvalid(bytes)
            printError("smith: invalid module (\(result.rule.rawValue), expect \"\(result.rule.expectedMessage)\"): \(result.description)")
            module = result.module
        } else {
            module = generator.generate(bytes).module
        }
        let out: [UInt8] = wat ? Array(printModule(module).utf8) : encodeModule(module)
        try write(out)
    }

    private func loadConfiguration() throws -> GeneratorConfig {
        var configuration = GeneratorConfig()
        if let path = config {
            guard let data = FileManager.default.contents(atPath: path) else {
                printError("smith: cannot read \(path)")
                throw ExitStatus.usage
            }
            do {
                configuration = try JSONDecoder().decode(GeneratorConfig.self, from: data)
            } catch {
                printError("smith: \(path): \(error)")
                throw ExitStatus.usage
            }
            // A template path is relative to the configuration file.
            if let template = configuration.template, !template.hasPrefix("/") {
                let directory = (path as NSString).deletingLastPathComponent
                configuration.template = directory.isEmpty ? template : directory + "/" + template
            }
        }
        if swarm { configuration.swarm = true }
        if let features {
            do {
                configuration.features = try GeneratorConfig.parseFeatures(features.split(separator: ",").map(String.init))
            } catch {
                printError("smith: \(error)")
                throw ExitStatus.usage
            }
        }
        return configuration
    }

    private func loadTemplate(_ configuration: GeneratorConfig) throws -> WasmSyntax.Module? {
        guard let path = configuration.template else { return nil }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            printError("smith: cannot read template \(path)")
            throw ExitStatus.usage
        }
        do {
            return try parseModule(text)
        } catch {
            printError("smith: template \(path):\(error.line):\(error.column): \(error.message)")
            throw ExitStatus.usage
        }
    }

    private func readSeed(_ path: String) throws -> [UInt8] {
        if path == "-" { return [UInt8](FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: path) else {
            printError("smith: cannot read \(path)")
            throw ExitStatus.usage
        }
        return [UInt8](data)
    }

    private func write(_ bytes: [UInt8]) throws {
        if output == "-" {
            FileHandle.standardOutput.write(Data(bytes))
            return
        }
        guard FileManager.default.createFile(atPath: output, contents: Data(bytes)) else {
            printError("smith: cannot write \(output)")
            throw ExitStatus.usage
        }
    }

    /// Generates `count` modules from random seeds, checks that each
    /// validates, and prints the opcode coverage and the rate.
    private func runStats(_ generator: ModuleGenerator, count: Int) throws {
        let base = statsSeed ?? UInt64.random(in: 0...UInt64.max)
        var coverage = OpcodeCoverage()
        var invalidCount = 0
        var totalBytes = 0
        var generationTime = 0.0
        var rng = SplitMix64(seed: base)
        for i in 0..<max(0, count) {
            let bytes = rng.bytes(maxLength: 8192)
            let start = Date()
            let generated = generator.generate(bytes)
            let encoded = encodeModule(generated.module)
            generationTime += Date().timeIntervalSince(start)
            totalBytes += encoded.count
            coverage.record(generated.module)
            do {
                try validateModule(generated.module, features: generated.features)
            } catch {
                invalidCount += 1
                if invalidCount <= 5 { printError("smith: case \(i) of seed \(base) is invalid: \(error)") }
            }
        }
        print(coverage.report(features: generator.config.features))
        let rate = generationTime > 0 ? Double(count) / generationTime : 0
        print("seed \(base): \(count) modules, \(invalidCount) invalid, average \(count > 0 ? totalBytes / count : 0) bytes, \(Int(rate)) modules/s generated and encoded")
        if invalidCount > 0 { throw ExitStatus.failure }
    }
}
