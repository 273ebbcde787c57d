import WasmSyntax

/// Encodings of the module's parts (types, entries, segments), next to the
/// writer's value and instruction encodings.
extension BinaryWriter {
    public mutating func recGroup(_ group: RecGroup) {
        if group.isExplicit || group.types.count != 1 {
            byte(0x4E)
            vector(group.types) { $0.subType($1) }
        } else {
            subType(group.types[0])
        }
    }

    public mutating func subType(_ type: SubType) {
        if !type.isFinal || !type.supertypes.isEmpty {
            byte(type.isFinal ? 0x4F : 0x50)
            vector(type.supertypes) { $0.u32($1) }
        }
        compositeType(type.composite)
    }

    public mutating func compositeType(_ type: CompositeType) {
        switch type {
        case .func(let f):
            byte(0x60)
            vector(f.params) { $0.valueType($1) }
            vector(f.results) { $0.valueType($1) }
        case .struct(let fields):
            byte(0x5F)
            vector(fields) { $0.fieldType($1) }
        case .array(let field):
            byte(0x5E)
            fieldType(field)
        }
    }

    public mutating func fieldType(_ field: FieldType) {
        switch field.storage {
        case .i8: byte(0x78)
        case .i16: byte(0x77)
        case .value(let t): valueType(t)
        }
        byte(field.mutable ? 1 : 0)
    }

    /// Limits: flags (bit 0 maximum, bit 1 shared, bit 2 64-bit addresses,
    /// bit 3 custom page size), minimum, maximum, then the page size.
    public mutating func limits(_ limits: Limits, pageSizeLog2: UInt8? = nil) {
        var flags: UInt8 = 0
        if limits.max != nil { flags |= 0x01 }
        if limits.shared { flags |= 0x02 }
        if limits.addressType == .i64 { flags |= 0x04 }
        if pageSizeLog2 != nil { flags |= 0x08 }
        byte(flags)
        u64(limits.min)
        if let max = limits.max { u64(max) }
        if let log2 = pageSizeLog2 { u32(UInt32(log2)) }
    }

    public mutating func memoryType(_ type: MemoryType) {
        limits(type.limits, pageSizeLog2: type.pageSizeLog2)
    }

    public mutating func tableType(_ type: TableType) {
        refType(type.elementType)
        limits(type.limits)
    }

    public mutating func globalType(_ type: GlobalType) {
        valueType(type.valueType)
        byte(type.mutable ? 1 : 0)
    }

    public mutating func tagType(_ type: TagType) {
        byte(0)
        u32(type.typeIndex)
    }

    mutating func importEntry(_ entry: Import) {
        name(entry.module)
        name(entry.name)
        switch entry.descriptor {
        case .function(let index): byte(0x00); u32(index)
        case .table(let type): byte(0x01); tableType(type)
        case .memory(let type): byte(0x02); memoryType(type)
        case .global(let type): byte(0x03); globalType(type)
        case .tag(let type): byte(0x04); tagType(type)
        }
    }

    mutating func exportEntry(_ entry: Export) {
        name(entry.name)
        switch entry.descriptor {
        case .function(let index): byte(0x00); u32(index)
        case .table(let index): byte(0x01); u32(index)
        case .memory(let index): byte(0x02); u32(index)
        case .global(let index): byte(0x03); u32(index)
        case .tag(let index): byte(0x04); u32(index)
        }
    }

    mutating func table(_ table: Table) {
        if let initializer = table.initializer {
            byte(0x40)
            byte(0x00)
            tableType(table.type)
            expression(initializer)
        } else {
            tableType(table.type)
        }
    }

    mutating func global(_ global: Global) {
        globalType(global.type)
        expression(global.initializer)
    }

    /// A code entry: its size, then the local runs as written and the body.
    mutating func code(_ function: Function) {
        var entry = BinaryWriter()
        entry.vector(function.locals) { w, run in
            w.u32(run.count)
            w.valueType(run.type)
        }
        entry.append(function.body)
        u32(UInt32(entry.bytes.count))
        append(entry.bytes)
    }

    /// An element segment with canonical flags: function indices (flags
    /// 0-3) when its type is `(ref func)`, which is what they decode to;
    /// otherwise expressions (flags 4-7), with flag 4 (table 0, `funcref`
    /// implied) when it fits. Function indices of another type are written
    /// as `ref.func` expressions so that the type is kept.
    mutating func elementSegment(_ segment: ElementSegment) {
        let refFunc = RefType(nullable: false, heapType: .func)
        let expressions: [ConstExpression]
        switch segment.items {
        case .functions(let indices) where segment.type == refFunc:
            switch segment.mode {
            case .active(table: 0, let offset):
                u32(0)
                expression(offset)
            case .active(let table, let offset):
                u32(2)
                u32(table)
                expression(offset)
                byte(0x00)
            case .passive:
                u32(1)
                byte(0x00)
            case .declarative:
                u32(3)
                byte(0x00)
            }
            vector(indices) { $0.u32($1) }
            return
        case .functions(let indices):
            expressions = indices.map { [Instruction(.refFunc, .index($0))] }
        case .expressions(let items):
            expressions = items
        }
        switch segment.mode {
        case .active(table: 0, let offset) where segment.type == .funcref:
            u32(4)
            expression(offset)
        case .active(let table, let offset):
            u32(6)
            u32(table)
            expression(offset)
            refType(segment.type)
        case .passive:
            u32(5)
            refType(segment.type)
        case .declarative:
            u32(7)
            refType(segment.type)
        }
        vector(expressions) { $0.expression($1) }
    }

    mutating func dataSegment(_ segment: DataSegment) {
        switch segment.mode {
        case .active(memory: 0, let offset):
            u32(0)
            expression(offset)
        case .active(let memory, let offset):
            u32(2)
            u32(memory)
            expression(offset)
        case .passive:
            u32(1)
        }
        u32(UInt32(segment.bytes.count))
        append(segment.bytes)
    }
}
