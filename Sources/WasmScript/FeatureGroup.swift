/// A proposal or feature area of the test suite ("GC", "SIMD", "tail
/// calls"), so that a report can say "GC: 97.2%" at a glance and a run can
/// be restricted to one area (`wasmcheck wast --feature-group gc`).
///
/// Scripts are mapped to groups by name alone, with the rules of one table
/// (`FeatureGroup.rules`): the suite's layout is the only source of truth
/// that does not need running the scripts.
public struct FeatureGroup: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// A short, stable identifier for the command line and reports (`gc`).
    public let id: String
    /// The name people read (`GC`).
    public let title: String
    /// Where the group sorts in reports: roughly the order features were
    /// standardised; groups that no rule names sort last, by id.
    public let order: Int

    public init(id: String, title: String, order: Int) {
        self.id = id
        self.title = title
        self.order = order
    }

    public var description: String { title }

    public static func < (a: FeatureGroup, b: FeatureGroup) -> Bool {
        (a.order, a.id) < (b.order, b.id)
    }

    public static let mvp = FeatureGroup(id: "mvp", title: "MVP", order: 0)
    public static let referenceTypes = FeatureGroup(id: "reference-types", title: "Reference types", order: 10)
    public static let bulkMemory = FeatureGroup(id: "bulk-memory", title: "Bulk memory", order: 11)
    public static let simd = FeatureGroup(id: "simd", title: "SIMD", order: 12)
    public static let relaxedSIMD = FeatureGroup(id: "relaxed-simd", title: "Relaxed SIMD", order: 20)
    public static let tailCalls = FeatureGroup(id: "tail-calls", title: "Tail calls", order: 21)
    public static let functionReferences = FeatureGroup(id: "function-references", title: "Function references", order: 22)
    public static let gc = FeatureGroup(id: "gc", title: "GC", order: 23)
    public static let exceptions = FeatureGroup(id: "exceptions", title: "Exceptions", order: 24)
    public static let memory64 = FeatureGroup(id: "memory64", title: "Memory64", order: 25)
    public static let multiMemory = FeatureGroup(id: "multi-memory", title: "Multi-memory", order: 26)
    public static let extendedConst = FeatureGroup(id: "extended-const", title: "Extended const", order: 27)
    public static let annotations = FeatureGroup(id: "annotations", title: "Annotations", order: 28)
    public static let legacyExceptions = FeatureGroup(id: "legacy-exceptions", title: "Legacy exceptions", order: 30)
    public static let threads = FeatureGroup(id: "threads", title: "Threads", order: 40)
    public static let wideArithmetic = FeatureGroup(id: "wide-arithmetic", title: "Wide arithmetic", order: 41)
    public static let customPageSizes = FeatureGroup(id: "custom-page-sizes", title: "Custom page sizes", order: 42)
    public static let customDescriptors = FeatureGroup(id: "custom-descriptors", title: "Custom descriptors", order: 43)

    /// Every group a rule names, in report order.
    public static let known: [FeatureGroup] = [
        .mvp, .referenceTypes, .bulkMemory, .simd, .relaxedSIMD, .tailCalls, .functionReferences, .gc,
        .exceptions, .memory64, .multiMemory, .extendedConst, .annotations, .legacyExceptions, .threads,
        .wideArithmetic, .customPageSizes, .customDescriptors,
    ]

    /// The group named by `text`: an id (`gc`) or a title (`Relaxed SIMD`),
    /// ignoring case; a `proposals/` folder that no rule names is a group of
    /// its own, under the folder's name.
    public static func named(_ text: String) -> FeatureGroup? {
        let key = text.lowercased()
        return known.first { $0.id == key || $0.title.lowercased() == key }
    }
}

extension FeatureGroup {
    /// How a rule recognises a script, from its name within the suite
    /// (`proposals/threads/atomic.wast`, `simd_lane.wast`).
    enum Pattern: Sendable {
        /// Under a folder of that path (`legacy`, `proposals/threads`).
        case folder(String)
        /// The file name without `.wast` starts with this.
        case prefix(String)
        /// The file name without `.wast` is one of these.
        case stems(Set<String>)
        /// The multi-memory proposal's copies of core scripts: letters and
        /// underscores followed by one digit (`address0`, `load2`, but not
        /// `i31` or `f32`).
        case multiMemoryCopy
        /// Memory64 / table64 variants: ends in `64` (but is not `i64` or `f64`).
        case memory64Variant
    }

    struct Rule: Sendable {
        var pattern: Pattern
        var group: FeatureGroup
    }

    /// The one table that maps scripts to groups; the first rule that
    /// matches wins, and a script no rule matches is `mvp`. Folders come
    /// first (a proposal's `binary.wast` belongs to the proposal), then
    /// names. Scripts of later proposals that were merged into core scripts
    /// (extended const in `global.wast`, multi-value in `block.wast`) count
    /// where the script is.
    static let rules: [Rule] = [
        Rule(pattern: .folder("legacy"), group: .legacyExceptions),
        Rule(pattern: .folder("custom"), group: .annotations),
        Rule(pattern: .folder("proposals/threads"), group: .threads),
        Rule(pattern: .folder("proposals/wide-arithmetic"), group: .wideArithmetic),
        Rule(pattern: .folder("proposals/custom-page-sizes"), group: .customPageSizes),
        Rule(pattern: .folder("proposals/custom-descriptors"), group: .customDescriptors),
        Rule(pattern: .folder("proposals/memory64"), group: .memory64),
        Rule(pattern: .folder("proposals/multi-memory"), group: .multiMemory),
        Rule(pattern: .folder("proposals/extended-const"), group: .extendedConst),
        Rule(pattern: .folder("proposals/gc"), group: .gc),
        Rule(pattern: .folder("proposals/exception-handling"), group: .exceptions),
        Rule(pattern: .folder("proposals/tail-call"), group: .tailCalls),
        Rule(pattern: .folder("proposals/function-references"), group: .functionReferences),
        Rule(pattern: .folder("proposals/relaxed-simd"), group: .relaxedSIMD),
        Rule(pattern: .folder("proposals/annotations"), group: .annotations),
        Rule(pattern: .folder("proposals/branch-hinting"), group: .annotations),
        Rule(pattern: .folder("proposals/simd"), group: .simd),
        Rule(pattern: .folder("proposals/bulk-memory-operations"), group: .bulkMemory),
        Rule(pattern: .folder("proposals/reference-types"), group: .referenceTypes),

        Rule(pattern: .prefix("relaxed_"), group: .relaxedSIMD),
        Rule(pattern: .stems(["i16x8_relaxed_q15mulr_s", "i32x4_relaxed_trunc", "i8x16_relaxed_swizzle"]), group: .relaxedSIMD),
        Rule(pattern: .stems(["simd_memory-multi", "memory-multi", "memory_size_import"]), group: .multiMemory),
        Rule(pattern: .multiMemoryCopy, group: .multiMemory),
        Rule(pattern: .prefix("simd_"), group: .simd),
        Rule(pattern: .prefix("memory64"), group: .memory64),
        Rule(pattern: .stems(["table_copy_mixed"]), group: .memory64),
        Rule(pattern: .memory64Variant, group: .memory64),
        Rule(pattern: .prefix("array"), group: .gc),
        Rule(pattern: .prefix("br_on_cast"), group: .gc),
        Rule(pattern: .stems(["i31", "ref_cast", "ref_eq", "ref_test", "struct", "extern", "binary-gc",
                              "type-canon", "type-equivalence", "type-rec", "type-subtyping"]), group: .gc),
        Rule(pattern: .stems(["call_ref", "br_on_null", "br_on_non_null", "ref_as_non_null", "local_init", "ref",
                              "return_call_ref"]), group: .functionReferences),
        Rule(pattern: .stems(["return_call", "return_call_indirect"]), group: .tailCalls),
        Rule(pattern: .stems(["tag", "throw", "throw_ref", "try_table"]), group: .exceptions),
        Rule(pattern: .stems(["ref_func", "ref_is_null", "ref_null", "table_get", "table_set", "table_size",
                              "table_grow", "table_fill", "table-sub"]), group: .referenceTypes),
        Rule(pattern: .stems(["bulk", "memory_copy", "memory_fill", "memory_init", "table_copy", "table_init"]), group: .bulkMemory),
        Rule(pattern: .stems(["annotations"]), group: .annotations),
    ]

    /// The group of a script, from its name within the suite.
    public static func of(_ name: String) -> FeatureGroup {
        let components = name.split(separator: "/").map(String.init)
        let file = components.last ?? name
        let stem = file.hasSuffix(".wast") ? String(file.dropLast(5)) : file
        let folders = components.dropLast()
        for rule in rules where rule.pattern.matches(stem: stem, folders: folders) {
            return rule.group
        }
        // A proposal no rule knows yet is a group of its own.
        if let index = folders.firstIndex(of: "proposals"), index + 1 < folders.endIndex {
            let proposal = folders[index + 1]
            return FeatureGroup(id: proposal, title: proposal, order: 100)
        }
        return .mvp
    }
}

extension FeatureGroup.Pattern {
    func matches(stem: String, folders: ArraySlice<String>) -> Bool {
        switch self {
        case .folder(let path):
            let wanted = path.split(separator: "/").map(String.init)
            guard wanted.count <= folders.count else { return false }
            let folders = Array(folders)
            for start in 0...(folders.count - wanted.count) where Array(folders[start..<start + wanted.count]) == wanted {
                return true
            }
            return false
        case .prefix(let prefix):
            return stem.hasPrefix(prefix)
        case .stems(let names):
            return names.contains(stem)
        case .multiMemoryCopy:
            guard let last = stem.unicodeScalars.last, ("0"..."9").contains(last) else { return false }
            let head = stem.unicodeScalars.dropLast()
            return !head.isEmpty && head.allSatisfy { ("a"..."z").contains($0) || $0 == "_" }
        case .memory64Variant:
            return stem.hasSuffix("64") && stem != "i64" && stem != "f64"
        }
    }
}

extension FileReport {
    /// The feature group of the script (`FeatureGroup.rules`).
    public var group: FeatureGroup { FeatureGroup.of(name) }
}
