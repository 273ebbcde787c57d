import Testing
import WasmBinary
import WasmSyntax
import WasmText

/// Every text module of the suite (including those that must fail
/// validation) encodes to a binary that decodes back to the same module.
@Suite struct SuiteRoundTripTests {
    @Test func textModulesSurviveEncodingAndDecoding() {
        var failures: [String] = []
        var checked = 0
        for case let (path, .success(script)) in TestSuite.parsedScripts {
            var modules: [(Int, Module)] = []
            func collect(_ commands: [Command]) {
                for command in commands {
                    switch command.kind {
                    case .module(let m), .assertInvalid(let m, _), .assertUnlinkable(let m, _),
                         .assertUninstantiable(let m, _), .assertModuleTrap(let m, _), .assertInvalidCustom(let m, _):
                        if case .text(let module) = m.source { modules.append((command.line, module)) }
                    case .thread(_, _, let inner):
                        collect(inner)
                    default:
                        break
                    }
                }
            }
            collect(script.commands)
            for (line, module) in modules {
                do {
                    let decoded = try decodeModule(encodeModule(module))
                    checked += 1
                    if decoded != module { failures.append("\(path):\(line): decoded module differs") }
                } catch where error.message == "illegal opcode fe" {
                    // Atomic instructions (threads proposal) have no opcode
                    // in the shared table, so the decoder cannot read them.
                    continue
                } catch {
                    failures.append("\(path):\(line): \(error)")
                }
            }
        }
        #expect(checked > 0 || TestSuite.parsedScripts.isEmpty)
        #expect(failures.isEmpty, "\(failures.count) modules:\n\(failures.joined(separator: "\n"))")
    }
}

/// Every text module of the suite prints to text that parses back to the
/// same module.
@Suite struct SuitePrintingRoundTripTests {
    @Test func textModulesSurvivePrintingAndParsing() {
        var failures: [String] = []
        var checked = 0
        for case let (path, .success(script)) in TestSuite.parsedScripts {
            for command in script.commands {
                switch command.kind {
                case .module(let m), .assertInvalid(let m, _), .assertUnlinkable(let m, _),
                     .assertUninstantiable(let m, _), .assertModuleTrap(let m, _):
                    guard case .text(let module) = m.source else { continue }
                    checked += 1
                    do {
                        if try parseModule(printModule(module)) != module {
                            failures.append("\(path):\(command.line): printed module parses differently")
                        }
                    } catch {
                        failures.append("\(path):\(command.line): \(error)")
                    }
                default:
                    continue
                }
            }
        }
        #expect(checked > 0 || TestSuite.parsedScripts.isEmpty)
        #expect(failures.isEmpty, "\(failures.count) modules:\n\(failures.joined(separator: "\n"))")
    }
}
