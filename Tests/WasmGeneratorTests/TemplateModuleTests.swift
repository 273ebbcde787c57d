import Testing
import WasmBinary
import WasmSyntax
import WasmText
import WasmValidation
@testable import WasmGenerator

/// A template module: the generated module may use its imports and must
/// provide its exports, with the same types.
@Suite("Template modules")
struct TemplateModuleTests {
    static let template = """
        (module
          (type $callback (func (param i32) (result i32)))
          (import "host" "log" (func $log (param i32)))
          (import "host" "scale" (global $scale f64))
          (import "host" "memory" (memory 1 2))
          (func (export "run") (param i32 i64) (result f64) unreachable)
          (func (export "step") (type $callback) unreachable)
          (global (export "counter") (mut i64) (i64.const 0))
          (table (export "table") 3 funcref)
          (tag (export "oops") (param i32))
        )
        """

    @Test func importsComeFromTheTemplateAndExportsMatchIt() throws {
        let template = try parseModule(Self.template)
        var config = GeneratorConfig()
        config.allowImports = true
        let generator = try ModuleGenerator(config: config, template: template)
        var usedImports = 0
        for i in 0..<200 {
            let generated = generator.generate(seedBytes(baseSeed, i))
            let module = generated.module
            #expect(problem(with: generated) == nil)
            for item in module.imports {
                #expect(template.imports.contains(item), "import \(item.module).\(item.name) is not the template's")
            }
            usedImports += module.imports.count
            // The template's exports, with its types.
            let types = module.definedTypes
            let context = try ValidationContext(module: module, features: generated.features)
            for export in template.exports {
                guard let mine = module.exports.first(where: { $0.name == export.name }) else {
                    Issue.record("export \(export.name) missing")
                    continue
                }
                switch (export.descriptor, mine.descriptor) {
                case (.function(let a), .function(let b)):
                    let templateContext = try ValidationContext(module: template)
                    #expect(context.funcType(ofFunction: b) == templateContext.funcType(ofFunction: a))
                case (.global, .global(let g)):
                    #expect(context.globals[Int(g)] == GlobalType(valueType: .i64, mutable: true))
                case (.table, .table(let t)):
                    #expect(context.tables[Int(t)].elementType == .funcref)
                    #expect(context.tables[Int(t)].limits.min == 3)
                case (.tag, .tag(let t)):
                    #expect(types[Int(context.tags[Int(t)].typeIndex)].funcType?.params == [.i32])
                default:
                    Issue.record("export \(export.name) has the wrong kind")
                }
            }
        }
        #expect(usedImports > 0)
    }

    @Test func anInvalidTemplateIsRefused() throws {
        var template = Module()
        template.imports = [Import(module: "m", name: "f", descriptor: .function(7))]
        #expect(throws: GeneratorError.self) { try ModuleGenerator(config: GeneratorConfig(), template: template) }
    }
}
