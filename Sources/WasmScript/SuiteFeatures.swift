import WasmSyntax

/// The features a script of the official suite needs beyond the run's base
/// set, from where it sits: `legacy/` tests legacy exception handling and
/// each `proposals/NAME/` folder its proposal, on top of the core suite they
/// extend. So one run over the whole suite (`--features wasm3`) tests each
/// folder with its own feature set, the way the suite is meant to be read.
public enum SuiteFeatures {
    public static let byFolder: [(folder: String, features: Features)] = [
        ("legacy/", .legacyExceptions),
        ("proposals/threads/", .threads),
        ("proposals/wide-arithmetic/", .wideArithmetic),
        ("proposals/custom-page-sizes/", .customPageSizes),
    ]

    /// The features to add for the script at `path`.
    public static func additions(for path: String) -> Features {
        var features: Features = []
        for (folder, f) in byFolder where path.contains("/" + folder) || path.hasPrefix(folder) {
            features.formUnion(f)
        }
        return features
    }
}
