import CWasmVM

/// The trap codes of the builtins and of `VMRuntime.trapCode` (CWasmVM.h):
/// `TrapKind` without payloads, as compiled code can write them.
package typealias VMTrapCode = WVMTrapCode

extension VMTrapCode {
    /// The code of a trap kind (`host` for a host function's own trap,
    /// whose message the runtime keeps).
    package init(_ kind: TrapKind) {
        switch kind {
        case .unreachable: self = .unreachable
        case .integerDivideByZero: self = .integerDivideByZero
        case .integerOverflow: self = .integerOverflow
        case .invalidConversionToInteger: self = .invalidConversionToInteger
        case .outOfBoundsMemoryAccess: self = .outOfBoundsMemoryAccess
        case .outOfBoundsTableAccess: self = .outOfBoundsTableAccess
        case .undefinedElement: self = .undefinedElement
        case .uninitializedElement: self = .uninitializedElement
        case .indirectCallTypeMismatch: self = .indirectCallTypeMismatch
        case .nullFunctionReference: self = .nullFunctionReference
        case .nullReference: self = .nullReference
        case .nullStructureReference: self = .nullStructureReference
        case .nullArrayReference: self = .nullArrayReference
        case .nullExceptionReference: self = .nullExceptionReference
        case .nullI31Reference: self = .nullI31Reference
        case .outOfBoundsArrayAccess: self = .outOfBoundsArrayAccess
        case .castFailure: self = .castFailure
        case .callStackExhausted: self = .callStackExhausted
        case .outOfFuel: self = .outOfFuel
        case .resourceExhausted: self = .resourceExhausted
        case .typeMismatch: self = .typeMismatch
        case .uncaughtException: self = .uncaughtException
        case .host: self = .host
        }
    }
}

extension TrapKind {
    /// The kind of a trap code; nil for `none`, and for `host`, whose
    /// message the code does not carry.
    package init?(_ code: VMTrapCode) {
        switch code {
        case .none, .host, .exceptionThrown: return nil
        case .unreachable: self = .unreachable
        case .integerDivideByZero: self = .integerDivideByZero
        case .integerOverflow: self = .integerOverflow
        case .invalidConversionToInteger: self = .invalidConversionToInteger
        case .outOfBoundsMemoryAccess: self = .outOfBoundsMemoryAccess
        case .outOfBoundsTableAccess: self = .outOfBoundsTableAccess
        case .undefinedElement: self = .undefinedElement
        case .uninitializedElement: self = .uninitializedElement
        case .indirectCallTypeMismatch: self = .indirectCallTypeMismatch
        case .nullFunctionReference: self = .nullFunctionReference
        case .nullReference: self = .nullReference
        case .nullStructureReference: self = .nullStructureReference
        case .nullArrayReference: self = .nullArrayReference
        case .nullExceptionReference: self = .nullExceptionReference
        case .nullI31Reference: self = .nullI31Reference
        case .outOfBoundsArrayAccess: self = .outOfBoundsArrayAccess
        case .castFailure: self = .castFailure
        case .callStackExhausted: self = .callStackExhausted
        case .outOfFuel: self = .outOfFuel
        case .resourceExhausted: self = .resourceExhausted
        case .typeMismatch: self = .typeMismatch
        case .uncaughtException: self = .uncaughtException
        }
    }
}
