import WasmRuntime

/// GC objects (ObjectLayout: type ID, length, then 64-bit field slots) and
/// i31 references.
extension A64MacroAssembler {
    func objectSlotOffset(_ slot: Int) -> Int { slot * 8 }

    /// A field read as `mode`: i32s and packed fields zero-extended to 64 bits
    /// by the w-register forms.
    private mutating func read(_ mode: FieldRead, _ d: A64Register, _ base: A64Register, _ offset: Int) {
        switch mode {
        case .slot(let width): access(width == .w64 ? .ldrX : .ldrW, d, base, offset)
        case .i8(let signed): access(signed ? .ldrsbW : .ldrb, d, base, offset)
        case .i16(let signed): access(signed ? .ldrshW : .ldrh, d, base, offset)
        }
    }

    mutating func loadField(_ mode: FieldRead, _ destination: Register, object: Register, slot: Int) {
        read(mode, reg(destination), reg(object), objectSlotOffset(slot))
    }

    mutating func storeField(object: Register, slot: Int, _ source: Register) {
        access(.strX, reg(source), reg(object), objectSlotOffset(slot))
    }

    mutating func copyFromObject(object: Register, slot first: Int, to frameSlot: Int, count: Int) {
        for i in 0..<count {
            access(.ldrX, Self.s0, reg(object), objectSlotOffset(first + i))
            storeSlotX(frameSlot + i, Self.s0)
        }
    }

    mutating func copyToObject(objectSlot object: Int, slot first: Int, from frameSlot: Int, count: Int) {
        loadSlotX(Self.s1, object)
        for i in 0..<count {
            loadSlotX(Self.s0, frameSlot + i)
            access(.strX, Self.s0, Self.s1, objectSlotOffset(first + i))
        }
    }

    mutating func copyToObject(object: Register, slot first: Int, from frameSlot: Int, count: Int) {
        for i in 0..<count {
            loadSlotX(Self.s0, frameSlot + i)
            access(.strX, Self.s0, reg(object), objectSlotOffset(first + i))
        }
    }

    /// x17 = the address of element `index` (zero-extended, checked against
    /// the array's length) of `1 << log2Slots` slots, less the header.
    private mutating func element(object: A64Register, index: A64Register, log2Slots: Int) {
        asm.mov(is64: false, Self.s1, index)
        asm.access(.ldrX, Self.s0, .offset(object, objectSlotOffset(1)))
        asm.cmp(is64: true, Self.s1, Self.s0)
        asm.b(.hs, trapLabel(.outOfBoundsArrayAccess))
        asm.addSub(.add, is64: true, Self.s1, object, Self.s1, shift: .lsl, amount: 3 + log2Slots)
    }

    mutating func loadElement(_ mode: FieldRead, _ destination: Register, object: Register, index: Register) {
        element(object: reg(object), index: reg(index), log2Slots: 0)
        read(mode, reg(destination), Self.s1, 16)
    }

    mutating func storeElement(object: Register, index: Register, _ source: Register) {
        element(object: reg(object), index: reg(index), log2Slots: 0)
        asm.access(.strX, reg(source), .offset(Self.s1, 16))
    }

    mutating func copyElement(object: Register, index: Register, to frameSlot: Int) {
        element(object: reg(object), index: reg(index), log2Slots: 1)
        for i in 0..<2 {
            asm.access(.ldrX, Self.s0, .offset(Self.s1, 16 + 8 * i))
            storeSlotX(frameSlot + i, Self.s0)
        }
    }

    mutating func copyElement(object: Register, index: Register, from frameSlot: Int) {
        element(object: reg(object), index: reg(index), log2Slots: 1)
        for i in 0..<2 {
            loadSlotX(Self.s0, frameSlot + i)
            asm.access(.strX, Self.s0, .offset(Self.s1, 16 + 8 * i))
        }
    }

    mutating func arrayLength(_ destination: Register, object: Register) {
        asm.access(.ldrW, reg(destination), .offset(reg(object), objectSlotOffset(1)))
    }

    mutating func fillNewArray(objectSlot object: Int, valueSlot: Int, width: Int) {
        // x16 walks the elements, x17 counts them down.
        loadSlotX(Self.s0, object)
        asm.access(.ldrX, Self.s1, .offset(Self.s0, objectSlotOffset(1)))
        asm.addSub(.add, is64: true, Self.s0, Self.s0, immediate: UInt32(objectSlotOffset(2)))
        let loop = newLabel(), done = newLabel()
        asm.code.bind(loop)
        asm.cbz(is64: true, Self.s1, done)
        for i in 0..<width {
            loadSlotX(Self.s2, valueSlot + i)
            asm.access(.strX, Self.s2, .offset(Self.s0, 8 * i))
        }
        asm.addSub(.add, is64: true, Self.s0, Self.s0, immediate: UInt32(8 * width))
        asm.addSub(.sub, is64: true, Self.s1, Self.s1, immediate: 1)
        asm.b(loop)
        asm.code.bind(done)
    }

    mutating func makeI31(_ destination: Register, _ value: Register) {
        // (value & 0x7FFF_FFFF) << 2 | 1.
        asm.ubfiz(is64: true, Self.s0, reg(value), lsb: 2, width: 31)
        asm.logical(.orr, is64: true, reg(destination), Self.s0, immediate: 1)
    }

    mutating func readI31(_ destination: Register, _ reference: Register, signed: Bool) {
        // Bits 2...32 of the reference, sign- or zero-extended to 32 bits.
        if signed {
            asm.sbfx(is64: true, Self.s0, reg(reference), lsb: 2, width: 31)
            asm.mov(is64: false, reg(destination), Self.s0)
        } else {
            asm.ubfx(is64: true, reg(destination), reg(reference), lsb: 2, width: 31)
        }
    }
}
