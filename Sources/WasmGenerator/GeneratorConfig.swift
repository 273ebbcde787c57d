import WasmSyntax

/// What the generator may produce and how: features, size limits, and the
/// options that make modules runnable (fuel, no traps, NaN canonicalisation)
/// or link against a template.
///
/// It is `Codable` so that a run can be configured from a JSON file
/// (`wasmcheck smith --config`): every key is optional and defaults to the
/// value below. `features` is a list of feature names (`Features.names`) or
/// one of "mvp", "wasm2", "wasm3", "all".
public struct GeneratorConfig: Sendable, Equatable {
    /// The features a module may use. In swarm mode each module uses a
    /// random subset of them.
    public var features: Features = .wasm3
    /// Swarm testing: every module enables a random subset of `features`
    /// and of the instruction classes, and picks its own size limits, so
    /// that a corpus explores unusual mixtures instead of an average one.
    public var swarm: Bool = false

    // Size limits.
    public var maxTypes = 20
    public var maxRecGroupSize = 4
    public var maxParams = 5
    public var maxResults = 3
    public var maxStructFields = 6
    public var maxImports = 6
    public var maxFunctions = 16
    public var maxLocals = 12
    public var maxInstructions = 300
    public var maxNesting = 8
    public var maxMemories = 2
    public var maxTables = 3
    public var maxGlobals = 6
    public var maxTags = 3
    public var maxElementSegments = 4
    public var maxDataSegments = 4
    public var maxExports = 12
    /// The largest initial size of a memory, in pages; declared maximums
    /// stay within four times this.
    public var maxMemoryPages = 2
    /// The largest initial size of a table, in elements.
    public var maxTableSize = 8

    // Behaviour.
    /// When set, the module is instrumented with a mutable i32 global of
    /// this much fuel, decremented at every function entry and loop header
    /// (and by the length of bulk operations), so that every call ends in
    /// any engine: out of fuel, it traps (`unreachable`), or in no-trap mode
    /// returns.
    public var fuel: UInt32? = nil
    /// Bulk operations of length n cost n >> bulkFuelShift fuel.
    public var bulkFuelShift = 4
    /// Guard the instructions that can trap (division, float-to-int
    /// truncation, memory and table accesses, casts, `unreachable`, null
    /// dereferences, uncaught exceptions), so that most calls return.
    public var noTraps = false
    /// Replace every NaN that arithmetic produces by the canonical NaN, so
    /// that engines can be compared bit for bit.
    public var canonicalizeNaNs = false
    /// Export every defined function (the harness calls them all).
    public var exportAllFunctions = false
    /// Whether a module without a template may import things (which the
    /// host must then provide).
    public var allowImports = true
    /// Whether a module may have a start function.
    public var allowStart = true
    /// A `.wat` file whose imports the generated module may use and whose
    /// exports it must provide (read by the command line; library users
    /// pass the parsed template to `ModuleGenerator`).
    public var template: String? = nil

    public init() {}

    /// A configuration for modules that run to completion on any engine:
    /// fuel, no traps, canonical NaNs, every function exported, no imports.
    public static func runnable(features: Features = .wasm2) -> GeneratorConfig {
        var config = GeneratorConfig()
        config.features = features
        config.fuel = 1_000
        config.noTraps = true
        config.canonicalizeNaNs = true
        config.exportAllFunctions = true
        config.allowImports = false
        return config
    }
}

extension GeneratorConfig: Codable {
    enum CodingKeys: String, CodingKey {
        case features, swarm, maxTypes, maxRecGroupSize, maxParams, maxResults, maxStructFields, maxImports,
             maxFunctions, maxLocals, maxInstructions, maxNesting, maxMemories, maxTables, maxGlobals, maxTags,
             maxElementSegments, maxDataSegments, maxExports, maxMemoryPages, maxTableSize, fuel, bulkFuelShift,
             noTraps, canonicalizeNaNs, exportAllFunctions, allowImports, allowStart, template
    }

    /// The error for a feature name that `Features.names` does not know.
    public struct UnknownFeature: Error, CustomStringConvertible {
        public var name: String
        public var description: String {
            "unknown feature \"\(name)\"; known: mvp, wasm2, wasm3, all, \(Features.names.map(\.0).joined(separator: ", "))"
        }
    }

    /// Parses feature names (as in `--features`).
    public static func parseFeatures(_ names: [String]) throws(UnknownFeature) -> Features {
        var set: Features = []
        for name in names {
            switch name {
            case "mvp": set.formUnion(.mvp)
            case "wasm2": set.formUnion(.wasm2)
            case "wasm3": set.formUnion(.wasm3)
            case "all": set.formUnion(.all)
            default:
                guard let f = Features.names.first(where: { $0.0 == name })?.1 else { throw UnknownFeature(name: name) }
                set.formUnion(f)
            }
        }
        return set
    }

    public static func featureNames(_ features: Features) -> [String] {
        Features.names.filter { features.contains($0.1) }.map(\.0)
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let names = try c.decodeIfPresent([String].self, forKey: .features) {
            features = try Self.parseFeatures(names)
        }
        func read(_ key: CodingKeys, _ value: inout Int) throws {
            if let v = try c.decodeIfPresent(Int.self, forKey: key) { value = max(0, v) }
        }
        func read(_ key: CodingKeys, _ value: inout Bool) throws {
            if let v = try c.decodeIfPresent(Bool.self, forKey: key) { value = v }
        }
        try read(.swarm, &swarm)
        try read(.maxTypes, &maxTypes)
        try read(.maxRecGroupSize, &maxRecGroupSize)
        try read(.maxParams, &maxParams)
        try read(.maxResults, &maxResults)
        try read(.maxStructFields, &maxStructFields)
        try read(.maxImports, &maxImports)
        try read(.maxFunctions, &maxFunctions)
        try read(.maxLocals, &maxLocals)
        try read(.maxInstructions, &maxInstructions)
        try read(.maxNesting, &maxNesting)
        try read(.maxMemories, &maxMemories)
        try read(.maxTables, &maxTables)
        try read(.maxGlobals, &maxGlobals)
        try read(.maxTags, &maxTags)
        try read(.maxElementSegments, &maxElementSegments)
        try read(.maxDataSegments, &maxDataSegments)
        try read(.maxExports, &maxExports)
        try read(.maxMemoryPages, &maxMemoryPages)
        try read(.maxTableSize, &maxTableSize)
        try read(.bulkFuelShift, &bulkFuelShift)
        fuel = try c.decodeIfPresent(UInt32.self, forKey: .fuel)
        try read(.noTraps, &noTraps)
        try read(.canonicalizeNaNs, &canonicalizeNaNs)
        try read(.exportAllFunctions, &exportAllFunctions)
        try read(.allowImports, &allowImports)
        try read(.allowStart, &allowStart)
        template = try c.decodeIfPresent(String.self, forKey: .template)
        // Bounds that keep generation cheap whatever the file says (and
        // within wasm-tools' implementation limits).
        for value in [\GeneratorConfig.maxTypes, \.maxImports, \.maxFunctions, \.maxMemories, \.maxTables,
                      \.maxGlobals, \.maxTags, \.maxElementSegments, \.maxDataSegments, \.maxExports] {
            self[keyPath: value] = min(self[keyPath: value], 10_000)
        }
        maxParams = min(maxParams, 1_000)
        maxResults = min(maxResults, 1_000)
        maxStructFields = min(maxStructFields, 1_000)
        maxLocals = min(maxLocals, 10_000)
        maxTableSize = min(maxTableSize, 100_000)
        maxRecGroupSize = max(1, min(maxRecGroupSize, 64))
        maxNesting = min(maxNesting, 100)
        maxInstructions = min(maxInstructions, 1_000_000)
        maxMemoryPages = min(maxMemoryPages, 1024)
        bulkFuelShift = min(bulkFuelShift, 31)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.featureNames(features), forKey: .features)
        try c.encode(swarm, forKey: .swarm)
        try c.encode(maxTypes, forKey: .maxTypes)
        try c.encode(maxRecGroupSize, forKey: .maxRecGroupSize)
        try c.encode(maxParams, forKey: .maxParams)
        try c.encode(maxResults, forKey: .maxResults)
        try c.encode(maxStructFields, forKey: .maxStructFields)
        try c.encode(maxImports, forKey: .maxImports)
        try c.encode(maxFunctions, forKey: .maxFunctions)
        try c.encode(maxLocals, forKey: .maxLocals)
        try c.encode(maxInstructions, forKey: .maxInstructions)
        try c.encode(maxNesting, forKey: .maxNesting)
        try c.encode(maxMemories, forKey: .maxMemories)
        try c.encode(maxTables, forKey: .maxTables)
        try c.encode(maxGlobals, forKey: .maxGlobals)
        try c.encode(maxTags, forKey: .maxTags)
        try c.encode(maxElementSegments, forKey: .maxElementSegments)
        try c.encode(maxDataSegments, forKey: .maxDataSegments)
        try c.encode(maxExports, forKey: .maxExports)
        try c.encode(maxMemoryPages, forKey: .maxMemoryPages)
        try c.encode(maxTableSize, forKey: .maxTableSize)
        try c.encodeIfPresent(fuel, forKey: .fuel)
        try c.encode(bulkFuelShift, forKey: .bulkFuelShift)
        try c.encode(noTraps, forKey: .noTraps)
        try c.encode(canonicalizeNaNs, forKey: .canonicalizeNaNs)
        try c.encode(exportAllFunctions, forKey: .exportAllFunctions)
        try c.encode(allowImports, forKey: .allowImports)
        try c.encode(allowStart, forKey: .allowStart)
        try c.encodeIfPresent(template, forKey: .template)
    }
}
