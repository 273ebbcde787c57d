import WasmSyntax

/// The body of a host function: arguments in, results out. A thrown `Trap`
/// traps with its kind; any other error traps with `TrapKind.host` and the
/// error's description.
public typealias HostFunctionBody = ([Value]) throws -> [Value]

/// A function instance of the store: WebAssembly code of an instance, or a
/// host function. Owns its `FunctionHeader`.
package final class FunctionEntity {
    package let header: UnsafeMutablePointer<FunctionHeader>
    /// The function's type, closed.
    package let type: FuncType
    /// The body of a host function.
    package let host: HostFunctionBody?
    /// The instance that defines a WebAssembly function (owned by the store).
    package unowned(unsafe) let instance: InstanceEntity?

    package init(type: FuncType, typeID: Int, host: @escaping HostFunctionBody) {
        self.type = type
        self.host = host
        self.instance = nil
        header = .allocate(capacity: 1)
        header.initialize(to: FunctionHeader(
            typeID: typeID, instance: nil, code: nil,
            parameterSlots: Int32(truncatingIfNeeded: type.params.slotCount),
            resultSlots: Int32(truncatingIfNeeded: type.results.slotCount), entity: nil))
        header.pointee.entity = UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())
    }

    package init(type: FuncType, typeID: Int, instance: InstanceEntity, code: UnsafeRawPointer) {
        self.type = type
        self.host = nil
        self.instance = instance
        header = .allocate(capacity: 1)
        header.initialize(to: FunctionHeader(
            typeID: typeID, instance: instance.context, code: code,
            parameterSlots: Int32(truncatingIfNeeded: type.params.slotCount),
            resultSlots: Int32(truncatingIfNeeded: type.results.slotCount), entity: nil))
        header.pointee.entity = UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())
    }

    deinit { header.deallocate() }

    /// The entity of a header (which the store keeps alive).
    package static func of(_ header: UnsafeMutablePointer<FunctionHeader>) -> FunctionEntity {
        Unmanaged<FunctionEntity>.fromOpaque(header.pointee.entity!).takeUnretainedValue()
    }
}
