// The Compound File Binary container (MS-CFB, "OLE2"), read over its bytes, as far as caseql
// needs it: the streams directly under the root storage (an .xls keeps its cells in the stream
// `Workbook`). Every length, offset and chain is checked against the file before it is used: a
// truncated file, a sector chain that loops or runs outside the file, a directory or sector
// count larger than the file can hold is a `CompoundFileError`, never a crash or a hang, and no
// more memory is taken than the file's own size.

/// A compound file that cannot be read: what is wrong, in words ("the sector chain of stream
/// Workbook loops at sector 7").
struct CompoundFileError: Error, CustomStringConvertible {
    var description: String
}

/// A compound file's streams under the root storage (MS-CFB 2.2–2.6).
struct CompoundFile {
    private let bytes: [UInt8]
    /// 512 (version 3) or 4096 (version 4) bytes.
    private let sectorSize: Int
    /// The sectors the file holds after its header (the last may be cut short).
    private let sectorCount: Int
    private let fat: [UInt32]
    private let miniFAT: [UInt32]
    private let miniStream: [UInt8]
    private let miniCutoff: Int
    /// The streams directly under the root storage: name and first sector and size (bytes).
    private(set) var streams: [(name: String, start: UInt32, size: Int)] = []

    static let signature: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
    private static let endOfChain: UInt32 = 0xFFFF_FFFE, freeSector: UInt32 = 0xFFFF_FFFF, maxRegular: UInt32 = 0xFFFF_FFFA
    private static let miniSectorSize = 64

    /// Reads the header, the FAT (through the DIFAT), the directory and the mini stream.
    /// Throws `CompoundFileError` when any of them is not what the format allows or lies
    /// outside the file.
    init(_ bytes: [UInt8]) throws {
        self.bytes = bytes
        guard bytes.count >= 512, Array(bytes[0..<8]) == CompoundFile.signature else {
            throw CompoundFileError(description: "the file is truncated or not a workbook: it is too short for a compound file, or has no OLE2 signature")
        }
        func u16(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 }
        func u32(_ o: Int) -> UInt32 { UInt32(u16(o)) | UInt32(u16(o + 2)) << 16 }
        guard u16(28) == 0xFFFE else { throw CompoundFileError(description: "the file is damaged: its compound file header has no byte order mark") }
        let shift = u16(30)
        guard shift == 9 || shift == 12, u16(32) == 6 else {
            throw CompoundFileError(description: "the file is damaged: its compound file header gives sectors of 2^\(shift) bytes")
        }
        let sectorSize = 1 << shift
        self.sectorSize = sectorSize
        guard bytes.count > sectorSize else { throw CompoundFileError(description: "the file is truncated: it ends inside its header") }
        let sectorCount = (bytes.count - sectorSize + sectorSize - 1) / sectorSize
        self.sectorCount = sectorCount
        let perSector = sectorSize / 4

        // The DIFAT: 109 FAT sector numbers in the header, then a chain of DIFAT sectors.
        let fatSectors = Int(u32(44))
        guard fatSectors <= sectorCount else {
            throw CompoundFileError(description: "the file is truncated or damaged: its header counts \(fatSectors) FAT sectors, and the file holds \(sectorCount) sectors")
        }
        var fatList: [UInt32] = []
        for k in 0..<109 where fatList.count < fatSectors { fatList.append(u32(76 + 4 * k)) }
        var difat = u32(68)
        var difatSeen = 0
        while fatList.count < fatSectors {
            guard difat <= CompoundFile.maxRegular, Int(difat) < sectorCount else {
                throw CompoundFileError(description: "the file is truncated or damaged: its FAT list (DIFAT) ends before its \(fatSectors) FAT sectors")
            }
            difatSeen += 1
            guard difatSeen <= sectorCount else { throw CompoundFileError(description: "the file is damaged: its FAT list (DIFAT) loops") }
            let base = (Int(difat) + 1) * sectorSize
            guard base + sectorSize <= bytes.count else { throw CompoundFileError(description: "the file is truncated: its FAT list (DIFAT) lies past its end") }
            for k in 0..<(perSector - 1) where fatList.count < fatSectors { fatList.append(u32(base + 4 * k)) }
            difat = u32(base + sectorSize - 4)
        }
        var fat: [UInt32] = []
        fat.reserveCapacity(fatSectors * perSector)
        for s in fatList {
            guard s <= CompoundFile.maxRegular, Int(s) < sectorCount, (Int(s) + 2) * sectorSize <= bytes.count else {
                throw CompoundFileError(description: "the file is truncated or damaged: FAT sector \(s) lies outside it")
            }
            let base = (Int(s) + 1) * sectorSize
            for k in 0..<perSector { fat.append(u32(base + 4 * k)) }
        }
        self.fat = fat
        miniCutoff = Int(u32(56))

        // The directory: 128-byte entries along its chain.
        let directory = try CompoundFile.chain(from: u32(48), fat: fat, bytes: bytes, sectorSize: sectorSize, sectorCount: sectorCount,
                                               limit: bytes.count, what: "the directory")
        guard directory.count >= 128 else { throw CompoundFileError(description: "the file is damaged: it has no directory") }
        let entryCount = directory.count / 128
        func entry(_ i: Int) -> (name: String, type: UInt8, left: UInt32, right: UInt32, child: UInt32, start: UInt32, size: Int) {
            let o = i * 128
            let nameBytes = min(max(Int(directory[o + 64]) | Int(directory[o + 65]) << 8, 2), 64)
            var units: [UInt16] = []
            var k = 0
            while k + 1 < nameBytes - 1 { units.append(UInt16(directory[o + k]) | UInt16(directory[o + k + 1]) << 8); k += 2 }
            while units.last == 0 { units.removeLast() }
            func d32(_ p: Int) -> UInt32 { UInt32(directory[p]) | UInt32(directory[p + 1]) << 8 | UInt32(directory[p + 2]) << 16 | UInt32(directory[p + 3]) << 24 }
            // Version 3 files may leave garbage in the size's high half (MS-CFB 2.6.3).
            let size = Int(d32(o + 120)) | (sectorSize == 512 ? 0 : Int(d32(o + 124)) << 32)
            return (String(decoding: units, as: UTF16.self), directory[o + 66], d32(o + 68), d32(o + 72), d32(o + 76), d32(o + 116), size)
        }
        let root = entry(0)
        guard root.type == 5 else { throw CompoundFileError(description: "the file is damaged: its first directory entry is not the root") }

        // The mini stream (in the root's chain) and the mini FAT, for streams under the cutoff.
        miniStream = root.size == 0 ? [] : try CompoundFile.chain(
            from: root.start, fat: fat, bytes: bytes, sectorSize: sectorSize, sectorCount: sectorCount,
            limit: min(root.size, bytes.count), what: "the mini stream")
        guard miniStream.count >= min(root.size, bytes.count) else { throw CompoundFileError(description: "the file is truncated: its mini stream is cut short") }
        let miniFATBytes = Int(u32(64)) == 0 ? [] : try CompoundFile.chain(
            from: u32(60), fat: fat, bytes: bytes, sectorSize: sectorSize, sectorCount: sectorCount, limit: bytes.count, what: "the mini FAT")
        miniFAT = stride(from: 0, to: miniFATBytes.count - 3, by: 4).map {
            UInt32(miniFATBytes[$0]) | UInt32(miniFATBytes[$0 + 1]) << 8 | UInt32(miniFATBytes[$0 + 2]) << 16 | UInt32(miniFATBytes[$0 + 3]) << 24
        }

        // The root's children: a red-black tree through left, right (siblings); each entry once.
        var seen = Set<UInt32>()
        var stack: [UInt32] = [root.child]
        var found: [(String, UInt32, Int)] = []
        while let i = stack.popLast() {
            guard i <= CompoundFile.maxRegular else { continue }
            guard Int(i) < entryCount else { throw CompoundFileError(description: "the file is truncated or damaged: its directory names entry \(i) of \(entryCount)") }
            guard seen.insert(i).inserted else { throw CompoundFileError(description: "the file is damaged: its directory loops at entry \(i)") }
            let e = entry(Int(i))
            if e.type == 2 { found.append((e.name, e.start, e.size)) }
            stack.append(e.left)
            stack.append(e.right)
        }
        streams = found
    }

    /// The sectors along a chain from `start`, end to end, at most `limit` bytes. Throws when
    /// the chain leaves the file or the FAT, or comes back to a sector it passed.
    private static func chain(from start: UInt32, fat: [UInt32], bytes: [UInt8], sectorSize: Int, sectorCount: Int,
                              limit: Int, what: String) throws -> [UInt8] {
        var out: [UInt8] = []
        var seen = [Bool](repeating: false, count: sectorCount)
        var s = start
        while s != endOfChain && out.count < limit {
            guard s <= maxRegular, Int(s) < sectorCount, Int(s) < fat.count else {
                throw CompoundFileError(description: "the file is truncated or damaged: \(what) runs to sector \(s), outside the file's \(sectorCount)")
            }
            guard !seen[Int(s)] else { throw CompoundFileError(description: "the file is damaged: the sector chain of \(what) loops at sector \(s)") }
            seen[Int(s)] = true
            let base = (Int(s) + 1) * sectorSize
            let end = min(base + sectorSize, bytes.count)
            out.append(contentsOf: bytes[base..<end])
            s = fat[Int(s)]
        }
        if out.count > limit { out.removeLast(out.count - limit) }
        return out
    }

    /// The bytes of the stream named `name` (compared without case, as MS-CFB compares names)
    /// under the root, nil when there is none. Throws `CompoundFileError` when it is cut short.
    func stream(named name: String) throws -> [UInt8]? {
        guard let s = streams.first(where: { $0.name.uppercased() == name.uppercased() }) else { return nil }
        guard s.size <= bytes.count else {
            throw CompoundFileError(description: "the file is damaged: stream \(s.name) says it holds \(s.size) bytes, more than the file's \(bytes.count)")
        }
        var out: [UInt8]
        if s.size < miniCutoff {
            out = []
            out.reserveCapacity(s.size)
            var seen = Set<UInt32>()
            var m = s.start
            while m != CompoundFile.endOfChain && out.count < s.size {
                guard m <= CompoundFile.maxRegular, Int(m) < miniFAT.count else {
                    throw CompoundFileError(description: "the file is truncated or damaged: stream \(s.name) runs to mini sector \(m), outside its mini FAT")
                }
                guard seen.insert(m).inserted else { throw CompoundFileError(description: "the file is damaged: the chain of stream \(s.name) loops at mini sector \(m)") }
                let base = Int(m) * CompoundFile.miniSectorSize
                guard base + CompoundFile.miniSectorSize <= miniStream.count else {
                    throw CompoundFileError(description: "the file is truncated: stream \(s.name) lies past the end of its mini stream")
                }
                out.append(contentsOf: miniStream[base..<(base + CompoundFile.miniSectorSize)])
                m = miniFAT[Int(m)]
            }
            if out.count > s.size { out.removeLast(out.count - s.size) }
        } else {
            out = try CompoundFile.chain(from: s.start, fat: fat, bytes: bytes, sectorSize: sectorSize, sectorCount: sectorCount,
                                         limit: s.size, what: "stream \(s.name)")
        }
        guard out.count == s.size else {
            throw CompoundFileError(description: "the file is truncated: stream \(s.name) holds \(out.count) of its \(s.size) bytes")
        }
        return out
    }
}
