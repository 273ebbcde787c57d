import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import WasmEngines
@testable import WasmScript

/// The JUnit XML validates against the structure CI tools read: the JUnit
/// schema of Jenkins (`junit-4.xsd`) and Ant/Surefire, checked element by
/// element with Foundation's XML parser (`JUnitSchema` below), and its
/// counts agree with the test cases.
@Suite struct JUnitSchemaTests {
    /// A run with every outcome: pass, fail, skip, expected failure,
    /// unexpected pass, a script that does not parse, and hostile text.
    func report() throws -> ConformanceReport {
        let scripts = try TestScripts(["gate.wast": gateScript, "float.wast": floatScript, "broken.wast": ["(module"]])
        defer { scripts.remove() }
        let skips = try SkipList(parsing: """
            skip  float.wast:3  not today
            xfail gate.wast:7   the script is wrong
            xfail gate.wast:8   listed, but passes
            """)
        let runner = WastRunner(features: .all, skipList: skips, makeEngine: { InProcessEngine.interpreter() })
        var files = WastSuite.run(WastSuite.collectFiles([scripts.folder]), runner: runner, jobs: 2)
        files.append(FileReport(path: "odd\u{1}<&>\"'.wast", results: [
            DirectiveResult(line: 1, directive: "assert_return", outcome: .failed("bad \u{0}\u{7}\u{1B} <tag> & \"q\" \u{FFFE}"),
                            expected: "(ref.extern \u{8})", actual: "]]> \r\n end", seconds: 1e-7),
        ], seconds: 2.5e-9, name: "odd\u{1}<&>\"'.wast"))
        let run = ConformanceRun(engine: "interpreter", suite: "test-suite", features: "all", shards: ["1/2"], files: files)
        return ConformanceReport(runs: [run, ConformanceRun(engine: "other", suite: "s", features: "f", files: [])])
    }

    @Test func perDirectiveReportMatchesTheSchema() throws {
        let xml = JUnitReport(try report()).xml()
        let document = try JUnitSchema.parse(xml)
        try JUnitSchema.validate(document)
        // One test suite per script, one test case per directive.
        let suites = document.children
        #expect(suites.count == 4)
        let gate = try #require(suites.first { $0.attributes["name"] == "interpreter: test-suite/gate.wast" })
        #expect(gate.attributes["tests"] == "6")
        #expect(gate.attributes["failures"] == "2")  // line 10, and line 8 (an unexpected pass)
        #expect(gate.attributes["skipped"] == "1")   // line 7, an expected failure
        let failure = try #require(gate.children.first { $0.attributes["name"] == "gate.wast:10 assert_trap" }?.children.first)
        #expect(failure.name == "failure")
        #expect(failure.attributes["message"] == "expected a trap")
        #expect(failure.text.contains("expected: unreachable"))
        let broken = try #require(suites.first { $0.attributes["name"] == "interpreter: test-suite/broken.wast" })
        #expect(broken.attributes["errors"] == "1")
        #expect(broken.children.contains { $0.name == "testcase" && $0.children.first?.name == "error" })
        #expect(document.attributes["tests"] == "11")
    }

    @Test func perScriptReportMatchesTheSchema() throws {
        let xml = JUnitReport(try report(), granularity: .file).xml()
        let document = try JUnitSchema.parse(xml)
        try JUnitSchema.validate(document)
        #expect(document.children.map { $0.attributes["name"] } == ["interpreter: test-suite", "other: s"])
        #expect(document.children[0].attributes["tests"] == "4")
        #expect(document.children[0].attributes["failures"] == "2")
        #expect(document.children[0].attributes["errors"] == "1")
    }

    @Test func theValidatorRejectsWhatTheSchemaRejects() throws {
        let bad = [
            "<testsuites><testcase name=\"x\"/></testsuites>",                                       // testcase outside a testsuite
            "<testsuites><testsuite tests=\"0\"/></testsuites>",                                      // no name
            "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase/></testsuite></testsuites>",     // testcase without a name
            "<testsuites><testsuite name=\"s\" tests=\"2\"><testcase name=\"a\"/></testsuite></testsuites>",  // wrong count
            "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase name=\"a\" time=\"1e-5\"/></testsuite></testsuites>",  // not a decimal
            "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase name=\"a\"><failure/><skipped/></testcase></testsuite></testsuites>",  // order
            "<testsuites><testsuite name=\"s\" tests=\"1\" bogus=\"x\"><testcase name=\"a\"/></testsuite></testsuites>",  // unknown attribute
        ]
        for xml in bad {
            #expect(throws: JUnitSchema.Invalid.self, "\(xml)") { try JUnitSchema.validate(try JUnitSchema.parse(xml)) }
        }
        for broken in ["<testsuites><testsuite>", "<testsuites><testsuite></testsuites>", "<testsuites/><testsuites/>",
                       "<testsuites>&bogus;</testsuites>", "<testsuites>\u{1}</testsuites>"] {
            #expect(throws: JUnitSchema.Invalid.self, "\(broken)") { try JUnitSchema.parse(broken) }
        }
    }
}

/// The JUnit XML schema as CI tools read it (Jenkins `junit-4.xsd`, which
/// Ant's and Surefire's output follows), as code: elements, their allowed
/// and required attributes, the order of their children, decimal times,
/// and counts that agree with the test cases.
enum JUnitSchema {
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    final class Element {
        let name: String
        let attributes: [String: String]
        var children: [Element] = []
        var text = ""

        init(name: String, attributes: [String: String]) {
            self.name = name
            self.attributes = attributes
        }
    }

    struct Rule {
        var allowed: Set<String>
        var required: Set<String>
        /// Child elements in the order allowed, each with its maximum count.
        var children: [(String, Int)]
    }

    static let rules: [String: Rule] = [
        "testsuites": Rule(allowed: ["name", "time", "tests", "failures", "disabled", "errors"], required: [],
                           children: [("testsuite", .max)]),
        "testsuite": Rule(allowed: ["name", "tests", "failures", "errors", "time", "disabled", "skipped", "timestamp",
                                    "hostname", "id", "package"], required: ["name", "tests"],
                          children: [("properties", 1), ("testcase", .max), ("system-out", 1), ("system-err", 1)]),
        "properties": Rule(allowed: [], required: [], children: [("property", .max)]),
        "property": Rule(allowed: ["name", "value"], required: ["name", "value"], children: []),
        "testcase": Rule(allowed: ["name", "assertions", "time", "classname", "status"], required: ["name"],
                         children: [("skipped", 1), ("error", .max), ("failure", .max), ("system-out", .max), ("system-err", .max)]),
        "skipped": Rule(allowed: ["message"], required: [], children: []),
        "error": Rule(allowed: ["message", "type"], required: [], children: []),
        "failure": Rule(allowed: ["message", "type"], required: [], children: []),
        "system-out": Rule(allowed: [], required: [], children: []),
        "system-err": Rule(allowed: [], required: [], children: []),
    ]

    static let integers: Set<String> = ["tests", "failures", "errors", "skipped", "disabled"]

    /// Parses with Foundation's XMLParser (libxml2): a document that is not
    /// well-formed XML throws.
    static func parse(_ xml: String) throws -> Element {
        final class Builder: NSObject, XMLParserDelegate {
            var stack: [Element] = []
            var root: Element?

            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                let element = Element(name: name, attributes: attributes)
                stack.last?.children.append(element)
                if stack.isEmpty { root = element }
                stack.append(element)
            }

            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                stack.removeLast()
            }

            func parser(_ parser: XMLParser, foundCharacters string: String) {
                stack.last?.text += string
            }
        }
        let parser = XMLParser(data: Data(xml.utf8))
        let builder = Builder()
        parser.delegate = builder
        // On Linux, parse() can return true for a truncated document while
        // recording the error, so both are checked.
        guard parser.parse(), parser.parserError == nil, builder.stack.isEmpty, let root = builder.root else {
            throw Invalid(description: "not well-formed: \(parser.parserError.map { "\($0)" } ?? "no root")")
        }
        return root
    }

    static func validate(_ root: Element) throws {
        guard root.name == "testsuites" else { throw Invalid(description: "root is \(root.name), not testsuites") }
        try check(root)
        var totals = (tests: 0, failures: 0, errors: 0)
        for suite in root.children {
            let cases = suite.children.filter { $0.name == "testcase" }
            let failures = cases.filter { $0.children.contains { $0.name == "failure" } }.count
            let errors = cases.filter { $0.children.contains { $0.name == "error" } }.count
            let skipped = cases.filter { $0.children.contains { $0.name == "skipped" } }.count
            try expectCount(suite, "tests", cases.count)
            try expectCount(suite, "failures", failures)
            try expectCount(suite, "errors", errors)
            try expectCount(suite, "skipped", skipped)
            totals.tests += cases.count
            totals.failures += failures
            totals.errors += errors
        }
        try expectCount(root, "tests", totals.tests)
        try expectCount(root, "failures", totals.failures)
        try expectCount(root, "errors", totals.errors)
    }

    private static func expectCount(_ element: Element, _ attribute: String, _ count: Int) throws {
        guard let value = element.attributes[attribute] else { return }
        guard Int(value) == count else {
            throw Invalid(description: "\(element.name) \(element.attributes["name"] ?? ""): \(attribute)=\(value), but \(count) found")
        }
    }

    private static func check(_ element: Element) throws {
        guard let rule = rules[element.name] else { throw Invalid(description: "unknown element \(element.name)") }
        for (name, value) in element.attributes {
            guard rule.allowed.contains(name) else { throw Invalid(description: "\(element.name) has no attribute \(name)") }
            if integers.contains(name) && (Int(value) ?? -1) < 0 {
                throw Invalid(description: "\(element.name) \(name)=\(value) is not a count")
            }
            if name == "time" && !isDecimal(value) {
                throw Invalid(description: "\(element.name) time=\(value) is not an xs:decimal")
            }
        }
        for name in rule.required where element.attributes[name] == nil {
            throw Invalid(description: "\(element.name) needs attribute \(name)")
        }
        // Children in the allowed order and numbers.
        var position = 0
        var used = 0
        for child in element.children {
            while position < rule.children.count && rule.children[position].0 != child.name {
                position += 1
                used = 0
            }
            guard position < rule.children.count else {
                throw Invalid(description: "\(child.name) is not allowed here in \(element.name)")
            }
            used += 1
            guard used <= rule.children[position].1 else {
                throw Invalid(description: "too many \(child.name) in \(element.name)")
            }
            try check(child)
        }
    }

    private static func isDecimal(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty else { return false }
        return parts.allSatisfy { $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) } && (parts.count == 1 || !parts[1].isEmpty)
    }
}
