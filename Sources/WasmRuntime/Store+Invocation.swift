import WasmSyntax

extension Store {
    /// Runs WebAssembly code through the engine's tier, counting nested
    /// invocations (each one takes native stack).
    package func invokeWasm(_ header: UnsafeMutablePointer<FunctionHeader>, slots: UnsafeMutablePointer<UInt64>) throws(Trap) {
        guard invocationDepth < Store.maxInvocationDepth else { throw Trap(.callStackExhausted) }
        invocationDepth += 1
        defer { invocationDepth -= 1 }
        try engine.implementation.invoke(header, slots: slots, store: self)
    }

    /// Calls a host function and checks its results.
    package func callHost(_ body: HostFunctionBody, type: FuncType, arguments: [Value]) throws(Trap) -> [Value] {
        guard invocationDepth < Store.maxInvocationDepth else { throw Trap(.callStackExhausted) }
        invocationDepth += 1
        defer { invocationDepth -= 1 }
        let results: [Value]
        do {
            results = try body(arguments)
        } catch let trap as Trap {
            throw trap
        } catch {
            throw Trap(.host(String(describing: error)))
        }
        guard results.count == type.results.count else { throw Trap(.typeMismatch) }
        for (value, t) in zip(results, type.results) where !matches(value, t) {
            throw Trap(.typeMismatch)
        }
        return results
    }

    /// Calls a host function from a tier: arguments are read from `slots`,
    /// results written back to them.
    package func callHost(_ header: UnsafeMutablePointer<FunctionHeader>, slots: UnsafeMutablePointer<UInt64>) throws(Trap) {
        let entity = FunctionEntity.of(header)
        guard let body = entity.host else { throw Trap(.typeMismatch) }
        let type = entity.type
        var arguments: [Value] = []
        arguments.reserveCapacity(type.params.count)
        var offset = 0
        for t in type.params {
            arguments.append(decode(slots + offset, as: t))
            offset += t.slotCount
        }
        let results = try callHost(body, type: type, arguments: arguments)
        offset = 0
        for value in results { offset += encode(value, to: slots + offset) }
    }
}
