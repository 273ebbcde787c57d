import Testing
@testable import WasmGenerator

@Suite("Byte source")
struct ByteSourceTests {
    @Test func exhaustedInputGivesMinimalChoices() {
        var u = ByteSource([])
        let index = u.index(10)
        let int = u.int(in: 3...9)
        let coin = u.bool()
        let even = u.chance(1, 2)
        let likely = u.chance(99, 100)
        let chosen = u.choose([7, 8, 9])
        #expect(index == 0)
        #expect(int == 3)
        #expect(!coin)
        #expect(!even)
        #expect(!likely)
        #expect(chosen == 7)
        #expect(u.isExhausted)
    }

    @Test func equalBytesGiveEqualDecisions() {
        let bytes: [UInt8] = (0..<64).map { UInt8(($0 * 37) & 0xFF) }
        var a = ByteSource(bytes), b = ByteSource(bytes)
        for n in 1..<40 {
            let x = a.index(n * 13), y = b.index(n * 13)
            #expect(x == y)
        }
        #expect(a.position == b.position)
    }

    @Test func decisionsStayInRange() {
        var u = ByteSource((0..<255).map { UInt8($0) })
        for n in [1, 2, 3, 255, 256, 257, 70_000] {
            let i = u.index(n)
            #expect(i >= 0 && i < n)
        }
        let negative = u.int(in: -5 ... -1)
        #expect(negative < 0 && negative >= -5)
        let weighted = u.weighted([0, 3, 0, 1])
        #expect(weighted == 1 || weighted == 3)
    }
}
