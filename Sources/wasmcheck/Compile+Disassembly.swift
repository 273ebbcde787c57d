import Foundation
import WasmBinary
import WasmJIT
import WasmRuntime
import WasmSyntax
import WasmValidation

/// `wasmcheck compile --disassemble`: the JIT's code for each function, as
/// llvm-mc disassembles it (what `wasmtime objdump` shows for wasmtime's
/// code), for either backend on any host.
extension Compile {
    func disassemble(_ bytes: [UInt8], configuration: EngineConfiguration, target: JITTarget) throws {
        let artifact: CodeArtifact
        let module: WasmSyntax.Module
        do {
            module = try decodeModule(bytes, features: configuration.features)
            let validation = try ValidationContext(module: module, features: configuration.features)
            try validation.validateDefinitions(of: module)
            artifact = try JIT.compileArtifact(module, context: CompilationContext(configuration: configuration, validation: validation),
                                               target: target)
        } catch {
            printError("Error: failed to compile `\(file)`: \(error)")
            throw ExitStatus.failure
        }
        guard let llvmMC = Self.llvmMC else {
            printError("Error: --disassemble needs llvm-mc (apt-get install llvm-15)")
            throw ExitStatus.usage
        }
        let names = NameSection(of: module)?.functionNames ?? [:]
        let imported = module.imports.filter { if case .function = $0.descriptor { true } else { false } }.count
        let starts = artifact.entries + [artifact.code.count]
        print("; \(file): \(module.functions.count) functions, \(artifact.code.count) bytes of \(target.rawValue) code")
        for (i, entry) in artifact.entries.enumerated() {
            let index = imported + i
            let name = names[UInt32(index)].map { " \($0)" } ?? ""
            // A function's code runs to the next one's entry; after the
            // last come the trap exits of its piece.
            let end = starts[i + 1]
            print("\n; function \(index)\(name): \(String(format: "0x%x", entry)), \(end - entry) bytes")
            let lines = try Self.disassemble(Array(artifact.code[entry..<end]), at: entry, target: target, llvmMC: llvmMC)
            for line in lines { print(line) }
        }
    }

    static let llvmMC: String? = {
        for candidate in ["/usr/bin/llvm-mc-15", "/usr/lib/llvm-15/bin/llvm-mc", "/usr/bin/llvm-mc"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return nil
    }()

    /// "offset  instruction" lines: llvm-mc's disassembly (Intel syntax on
    /// x86-64) with each instruction's offset (from its encoding's length
    /// on x86-64; a word each on AArch64, where a word llvm-mc cannot
    /// decode, such as a jump table's entry, is shown as `.word`).
    static func disassemble(_ code: [UInt8], at base: Int, target: JITTarget, llvmMC: String) throws -> [String] {
        let input = NSTemporaryDirectory() + "wasmcheck-disassemble-\(UUID().uuidString).txt"
        let hex = code.map { String(format: "0x%02x", $0) }
        // AArch64: a word a line, so that llvm-mc's warnings name the words it skips.
        let text = target == .x86_64
            ? hex.joined(separator: " ")
            : stride(from: 0, to: hex.count, by: 4).map { hex[$0..<min($0 + 4, hex.count)].joined(separator: " ") }.joined(separator: "\n")
        try (text + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: input) }
        let errorFile = input + ".err"
        _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: llvmMC)
        var arguments = ["--disassemble", "--show-encoding", "-triple=\(target == .x86_64 ? "x86_64" : "aarch64")"]
        if target == .x86_64 { arguments.append("--output-asm-variant=1") }
        process.arguments = arguments + [input]
        let output = Pipe()
        process.standardOutput = output
        // A file, not a second pipe: two pipes read one after the other could block.
        process.standardError = FileHandle(forWritingAtPath: errorFile)
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // "file:LINE:1: warning: invalid instruction encoding"
        var skipped = Set<Int>()
        let warnings = String(decoding: FileManager.default.contents(atPath: errorFile) ?? Data(), as: UTF8.self)
        for line in warnings.split(separator: "\n") where line.contains("invalid instruction encoding") {
            let fields = line.split(separator: ":")
            if fields.count > 2, let number = Int(fields[1]) { skipped.insert(number - 1) }
        }
        var decoded: [(text: String, size: Int)] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            // "mov rbp, rsp   # encoding: [0x48,0x89,0xe5]" (x86-64) or
            // "ret   // encoding: [0xc0,0x03,0x5f,0xd6]" (AArch64).
            guard !text.hasPrefix("."), let marker = text.range(of: "encoding: [") else { continue }
            let instruction = text[..<marker.lowerBound].trimmingCharacters(in: CharacterSet(charactersIn: " \t#/"))
            decoded.append((instruction.replacingOccurrences(of: "\t", with: " "), text[marker.upperBound...].split(separator: ",").count))
        }
        var lines: [String] = []
        var offset = base
        var next = decoded.makeIterator()
        if target == .aarch64 {
            for word in 0..<(code.count / 4) {
                if skipped.contains(word) {
                    let value = (0..<4).reduce(UInt32(0)) { $0 | UInt32(code[4 * word + $1]) << (8 * $1) }
                    lines.append(String(format: "  %6x  .word 0x%08x", offset, value))
                } else if let (text, _) = next.next() {
                    lines.append(String(format: "  %6x  ", offset) + absoluteTarget(text, at: offset, size: 4, target: target))
                }
                offset += 4
            }
            return lines
        }
        while let (text, size) = next.next() {
            lines.append(String(format: "  %6x  ", offset) + absoluteTarget(text, at: offset, size: size, target: target))
            offset += size
        }
        if offset < base + code.count {
            lines.append(String(format: "  %6x  ", offset) + "; \(base + code.count - offset) bytes llvm-mc did not decode")
        }
        return lines
    }

    /// A branch's PC-relative operand as the offset it goes to, in the
    /// artifact ("jae 0x1a4" rather than "jae 421"): llvm-mc counts x86-64
    /// displacements from the end of the instruction, AArch64 ones from
    /// its start.
    static func absoluteTarget(_ text: String, at offset: Int, size: Int, target: JITTarget) -> String {
        let parts = text.split(separator: " ")
        guard let mnemonic = parts.first, let last = parts.last, parts.count >= 2 else { return text }
        switch target {
        case .x86_64:
            guard mnemonic == "call" || mnemonic.hasPrefix("j"), parts.count == 2, let displacement = Int(last) else { return text }
            return "\(mnemonic) 0x\(String(offset + size + displacement, radix: 16))"
        case .aarch64:
            let branches: Set<Substring> = ["b", "bl", "cbz", "cbnz", "tbz", "tbnz", "adr"]
            guard branches.contains(mnemonic) || mnemonic.hasPrefix("b."), last.hasPrefix("#"),
                  let displacement = Int(last.dropFirst()) else { return text }
            return parts.dropLast().joined(separator: " ") + " 0x" + String(offset + displacement, radix: 16)
        }
    }
}
