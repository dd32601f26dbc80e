// The words of people and units as lists write them, read as the person or unit they name:
// `顾建英代表` is 顾建英, `钱明亮等13名代表` is 钱明亮 (the count is of cosigners the list does not
// name), `省发展改革委、财政厅` is 省发展改革委 and 省财政厅 (the shared prefix left off). On bytes,
// with a test of the last character first, so that a cell needing nothing costs a compare.

enum CellWords {
    /// UTF-8 of a CJK character as one number (its three bytes).
    @inline(__always)
    static func char(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> UInt32 {
        UInt32(p[i]) << 16 | UInt32(p[i + 1]) << 8 | UInt32(p[i + 2])
    }
    static func code(_ c: Character) -> UInt32 {
        let b = Array(String(c).utf8)
        return UInt32(b[0]) << 16 | UInt32(b[1]) << 8 | UInt32(b[2])
    }
    static let deng = code("等")
    static let daibiao = (code("代"), code("表")), weiyuan = (code("委"), code("员"))
    /// Last characters after which a person cell may carry more than the name (`person` spells
    /// them out; a test holds the two together).
    static let personEnds = "表员等名人位志"
    /// What may follow 等 in `…等13名代表`.
    static let countWords: Set<UInt32> = Set("名位人代表委员同志共其他".map(code))

    /// A person's name without a trailing 代表/委员 or `等…` (a count of others).
    @inline(__always)
    static func person(_ p: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        let n = p.count
        guard n >= 6, p[n - 3] >= 0xE4 else { return p }
        switch char(p, at: n - 3) {
        // 表 员 等 名 人 位 志 (`personEnds`), spelt out so the test is compares, not a hash.
        case 0xE8A1A8, 0xE59198, 0xE7AD89, 0xE5908D, 0xE4BABA, 0xE4BD8D, 0xE5BF97: return personSlow(p)
        default: return p
        }
    }

    static func personSlow(_ p: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var end = p.count
        // 等 after the name, then only a count: cut there.
        var i = 6   // a name of two characters at least before it
        while i + 3 <= end {
            if p[i] == 0xE7, char(p, at: i) == deng {
                var j = i + 3, ok = true
                while j < end {
                    if p[j] >= 0x30 && p[j] <= 0x39 || p[j] == 0x20 { j += 1; continue }
                    if j + 3 <= end, countWords.contains(char(p, at: j)) { j += 3; continue }
                    ok = false; break
                }
                if ok { end = i; break }
            }
            i += p[i] < 0x80 ? 1 : (p[i] >= 0xE0 ? 3 : 2)
        }
        // A title after the name: 代表, 委员 (the name keeps two characters at least).
        if end >= 12 {
            let a = char(p, at: end - 6), b = char(p, at: end - 3)
            if (a, b) == daibiao || (a, b) == weiyuan { end -= 6 }
        }
        return UnsafeBufferPointer(rebasing: p[0..<end])
    }

    /// A unit's name without a trailing 等.
    @inline(__always)
    static func unit(_ p: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        let n = p.count
        guard n >= 6, p[n - 3] == 0xE7, char(p, at: n - 3) == deng else { return p }
        return UnsafeBufferPointer(rebasing: p[0..<(n - 3)])
    }

    static let levels: Set<UInt32> = Set("省市区县州".map(code))
    /// Ends of the names of government bodies that a list writes without their level's prefix.
    static let bodies: Set<UInt32> = Set("局委厅办院会部处".map(code))

    /// The length in bytes of the level prefix a unit name begins with (`省`, `市`, `苏州市`,
    /// `姑苏区`: up to the first 省 市 区 县 州 among its first four characters), or 0.
    static func levelPrefix(_ p: UnsafeBufferPointer<UInt8>) -> Int {
        var i = 0, chars = 0
        while i + 3 <= p.count && chars < 4 {
            guard p[i] >= 0xE0 else { return 0 }
            if levels.contains(char(p, at: i)) { return i + 3 < p.count ? i + 3 : 0 }
            i += 3; chars += 1
        }
        return 0
    }

    /// Whether a unit name after the first in a cell left its level off (`财政厅` after
    /// `省发展改革委`): a body's name with no level in it.
    static func lacksLevel(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = p.count
        guard n >= 6, n % 3 == 0, p[0] >= 0xE0, bodies.contains(char(p, at: n - 3)) else { return false }
        var i = 0
        while i + 3 <= n {
            guard p[i] >= 0xE0 else { return false }
            if levels.contains(char(p, at: i)) { return false }
            i += 3
        }
        return true
    }

    /// The units a cell names, split at ; , 、 ； ， with a trailing 等 and a shared level prefix
    /// (after 、) handled as in a list cell.
    static func units(in cell: String) -> [String] {
        var out: [String] = []
        var prefix: [UInt8] = []
        var pieces: [(Substring, afterDun: Bool)] = []
        var start = cell.startIndex, afterDun = false
        for i in cell.indices where ";；、，,".contains(cell[i]) {
            pieces.append((cell[start..<i], afterDun))
            afterDun = cell[i] == "、"
            start = cell.index(after: i)
        }
        pieces.append((cell[start...], afterDun))
        for (k, (piece, afterDun)) in pieces.enumerated() {
            var bytes = Array(piece.utf8)
            bytes = bytes.withUnsafeBufferPointer { Array(unit(CellParser.trim($0))) }
            guard !bytes.isEmpty else { continue }
            let needs = bytes.withUnsafeBufferPointer { b -> Bool in
                if k == 0 { prefix = Array(b.prefix(levelPrefix(b))); return false }
                return afterDun && !prefix.isEmpty && lacksLevel(b)
            }
            out.append(String(decoding: needs ? prefix + bytes : bytes, as: UTF8.self))
        }
        return out
    }
}
