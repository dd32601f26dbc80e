/// Writes RFC 4180 CSV into a byte buffer: fields holding a comma, a quote, CR or LF are quoted,
/// quotes doubled. Options for Excel and WPS: CRLF line ends, and a guard that neutralises
/// cells which a spreadsheet would run as a formula.
public struct CSVWriter {
    public var bytes: [UInt8] = []
    public var crlf: Bool
    /// Prefix a ' to cells starting with = + - @ tab or CR (OWASP's CSV injection advice), and to
    /// such cells already guarded (`isFormulaLike`).
    public var formulaGuard: Bool
    private var fieldInRow = 0

    public init(crlf: Bool = false, formulaGuard: Bool = false, reserve: Int = 0) {
        self.crlf = crlf
        self.formulaGuard = formulaGuard
        bytes.reserveCapacity(reserve)
    }

    public mutating func field(_ s: String) {
        var s = s
        s.withUTF8 { field(bytes: $0) }
    }

    public mutating func field(bytes p: UnsafeBufferPointer<UInt8>) {
        if fieldInRow > 0 { bytes.append(UInt8(ascii: ",")) }
        fieldInRow += 1
        var needsQuotes = false
        for b in p where b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D { needsQuotes = true; break }
        let guardIt = formulaGuard && CSVWriter.isFormulaLike(p)
        if !needsQuotes && !guardIt {
            bytes.append(contentsOf: p)
            return
        }
        bytes.append(0x22)
        if guardIt { bytes.append(0x27) }
        for b in p {
            if b == 0x22 { bytes.append(0x22) }
            bytes.append(b)
        }
        bytes.append(0x22)
    }

    /// Whether a spreadsheet would run the cell as a formula (it starts with = + - @, a tab or a
    /// CR), or it is such a cell guarded already (apostrophes before one). The guard adds one
    /// apostrophe and the loader takes one off (`CellParser.trim`), so every value reads back
    /// as it was, `'=x` too.
    @inline(__always) public static func isFormulaLike(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < p.count && p[i] == 0x27 { i += 1 }
        guard i < p.count else { return false }
        switch p[i] {
        case 0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D: return true
        default: return false
        }
    }

    public mutating func row(_ fields: [String]) {
        for f in fields { field(f) }
        endRow()
    }

    public mutating func endRow() {
        if crlf { bytes.append(0x0D) }
        bytes.append(0x0A)
        fieldInRow = 0
    }
}

/// How CSV is written, one set of settings for every CSV caseql writes (`.export`, `--out`,
/// `.output`, `.report`/`.check --format csv`). In a file the default is what Excel and WPS on
/// Chinese Windows open cleanly: a UTF-8 byte-order mark, CRLF line ends, the formula guard;
/// standard output stays plain UTF-8 with LF for pipes, with the guard. `.csv bom|crlf|guard|
/// encoding` changes the file settings.
public struct CSVSettings: Sendable, Equatable {
    public var bom: Bool
    public var crlf: Bool
    public var formulaGuard: Bool
    public var encoding: TextEncoding
    public init(bom: Bool = true, crlf: Bool = true, formulaGuard: Bool = true, encoding: TextEncoding = .utf8) {
        self.bom = bom; self.crlf = crlf; self.formulaGuard = formulaGuard; self.encoding = encoding
    }
    /// For a file: BOM, CRLF, formula guard, UTF-8.
    public static let file = CSVSettings()
    /// For standard output: no BOM, LF, formula guard, UTF-8.
    public static let standardOutput = CSVSettings(bom: false, crlf: false)

    /// CSV made by a `CSVWriter` with these settings (UTF-8) as a file's bytes: in the settings'
    /// encoding, after a byte-order mark when they ask for one and the file is UTF-8 (GB18030
    /// files get none) and `first` (the file's first bytes). Nil when the text cannot be written
    /// as GB18030.
    public func fileBytes(_ csv: [UInt8], first: Bool = true) -> [UInt8]? {
        switch encoding {
        case .utf8:
            return bom && first ? [0xEF, 0xBB, 0xBF] + csv : csv
        case .gb18030:
            return csv.withUnsafeBufferPointer { Transcode.utf8ToGB18030($0) }
        }
    }
}
