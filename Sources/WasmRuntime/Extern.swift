import WasmSyntax

/// An external value: what an instance exports and a module imports.
public enum Extern: Hashable {
    case function(Function)
    case table(Table)
    case memory(Memory)
    case global(Global)
    case tag(Tag)

    public var kind: ExternalKind {
        switch self {
        case .function: return .function
        case .table: return .table
        case .memory: return .memory
        case .global: return .global
        case .tag: return .tag
        }
    }

    package var store: Store {
        switch self {
        case .function(let x): return x.store
        case .table(let x): return x.store
        case .memory(let x): return x.store
        case .global(let x): return x.store
        case .tag(let x): return x.store
        }
    }
}
