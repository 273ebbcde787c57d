import WasmInterpreter
import WasmRuntime

/// The execution tiers a script run can use, by the names the command line
/// and the reports use. CI gates every engine listed here.
public enum EngineCatalog {
    /// Every engine that exists, in the order reports show them.
    public static let names = ["interpreter"]

    /// A factory of fresh tiers of the engine `name` (each script gets its
    /// own), optionally with an injected fault; nil for an unknown name.
    public static func makeTier(named name: String, fault: FaultInjectingTier.Fault? = nil) -> (@Sendable () -> any ExecutionTier)? {
        switch name {
        case "interpreter":
            guard let fault else { return { Interpreter() } }
            return { () -> any ExecutionTier in
                FaultInjectingTier(wrapping: Interpreter(), fault: fault) ?? Interpreter()
            }
        default:
            return nil
        }
    }
}
