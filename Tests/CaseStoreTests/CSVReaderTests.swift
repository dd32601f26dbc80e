import Testing
@testable import CaseStore

/// A plain byte-at-a-time RFC 4180 reader, the reference for the word-at-a-time one.
private func referenceRows(_ b: [UInt8]) -> (rows: [[[UInt8]]], lines: [Int], error: Int?) {
    var rows: [[[UInt8]]] = [], lines: [Int] = []
    var i = b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0
    var line = 1
    let n = b.count
    while i < n {
        var row: [[UInt8]] = []
        let rowLine = line
        while true {
            var value: [UInt8] = []
            if i < n && b[i] == 0x22 {
                let open = i
                let openLine = line
                i += 1
                while true {
                    guard i < n else { return (rows, lines, open) }
                    if b[i] == 0x22 {
                        if i + 1 < n && b[i + 1] == 0x22 { value.append(0x22); i += 2; continue }
                        break
                    }
                    // A line end inside the field: LF, or a CR alone.
                    if b[i] == 0x0A || (b[i] == 0x0D && (i + 1 >= n || b[i + 1] != 0x0A)) { line += 1 }
                    value.append(b[i]); i += 1
                }
                i += 1
                // Text after the closing quote: the error is at the opening quote when the field
                // ran on past its line (a runaway quote), else at the text.
                if i < n && b[i] != 0x2C && b[i] != 0x0A && b[i] != 0x0D { return (rows, lines, line > openLine ? open : i) }
            } else {
                while i < n && b[i] != 0x2C && b[i] != 0x0A && b[i] != 0x0D { value.append(b[i]); i += 1 }
            }
            row.append(value)
            if i >= n { break }
            if b[i] == 0x2C { i += 1; if i >= n { row.append([]); break }; continue }
            if b[i] == 0x0D { i += 1; if i < n && b[i] == 0x0A { i += 1 } } else { i += 1 }
            line += 1
            break
        }
        rows.append(row)
        lines.append(rowLine)
    }
    return (rows, lines, nil)
}

@Test func wordAtATimeReaderAgreesWithByteAtATime() {
    var rng = SplitMix64(seed: 3)
    let alphabet: [[UInt8]] = [[0x61], [0x62], [0x2C], [0x22], [0x0A], [0x0D], Array("中".utf8), [0x20], Array("abcdefghij".utf8)]
    for round in 0..<3000 {
        var bytes: [UInt8] = []
        let length = Int(rng.next() % 80)
        for _ in 0..<length {
            // Mostly plain text and commas, with quotes and line ends now and then.
            let r = Int(rng.next() % 100)
            let k = r < 40 ? 8 : r < 55 ? 2 : r < 65 ? 0 : r < 72 ? 6 : r < 80 ? 3 : r < 88 ? 4 : r < 92 ? 5 : r < 96 ? 7 : 1
            bytes += alphabet[k]
        }
        let expected = referenceRows(bytes)
        var got: [[[UInt8]]] = [], lines: [Int] = []
        var failedAt: Int?
        bytes.withUnsafeBufferPointer { buf in
            var r = CSVReader(buf)
            while true {
                do {
                    guard try r.nextRow() else { break }
                } catch {
                    failedAt = (error as? CSVReader.Failure)?.offset ?? -1
                    break
                }
                lines.append(r.rowLine)
                got.append((0..<r.fields.count).map { k in r.withValue(k) { Array($0) } })
            }
        }
        #expect(got == expected.rows, "round \(round): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
        #expect(lines == expected.lines, "round \(round)")
        #expect(failedAt == expected.error, "round \(round)")
        if got != expected.rows || failedAt != expected.error { break }
    }
}

/// Positions are true lines and columns whatever the line ends: LF, CRLF, or CR alone (old Mac
/// files), also inside a quoted field that spans lines.
@Test func positionsWithEveryLineEnd() throws {
    for end in ["\n", "\r\n", "\r"] {
        let text = ["id,title", "A,\"two" + end + "lines\"", "B,第三", "C,x"].joined(separator: end) + end
        let bytes = Array(text.utf8)
        try bytes.withUnsafeBufferPointer { buf in
            var r = CSVReader(buf)
            var starts: [(Int, Int)] = []
            while try r.nextRow() {
                starts.append((r.rowLine, r.fieldColumns()[1]))
                if r.string(0) == "B" {
                    // 第三 starts at line 4, column 3; its second character at column 4.
                    let f = r.fields[1]
                    #expect(r.location(of: f.start) == (line: 4, column: 3))
                    #expect(r.location(of: f.start + 3) == (line: 4, column: 4))
                }
            }
            #expect(starts.map(\.0) == [1, 2, 4, 5], "line ends \(end.debugDescription)")
            #expect(starts.map(\.1) == [4, 3, 3, 3], "line ends \(end.debugDescription)")
            // The word "lines", inside the quoted field, is on line 3 at column 1.
            let lines = text.utf8.count - Array(("lines\"" + end + "B,第三" + end + "C,x" + end).utf8).count
            #expect(CSVReader(buf).location(of: lines) == (line: 3, column: 1))
        }
    }
}

@Test func firstInvalidUTF8AndMixedFiles() {
    func first(_ b: [UInt8]) -> Int? { b.withUnsafeBufferPointer { Transcode.firstInvalidUTF8($0) } }
    #expect(first(Array("abc 办结".utf8)) == nil)
    #expect(first(Array("abc".utf8) + [0xB0, 0xEC]) == 3)                     // GB18030 办
    #expect(first(Array("办".utf8) + [0xE4, 0xB8]) == 3)                       // cut short
    #expect(first([0x41, 0xED, 0xA0, 0x80]) == 1)                               // a surrogate
    #expect(first([0xC0, 0x80]) == 0)                                           // overlong
    #expect(first(Array(String(repeating: "x", count: 20).utf8) + [0x80]) == 20) // past the 8-byte steps
    let gb: [UInt8] = [0xB0, 0xEC, 0xBD, 0xE1, 0xC7, 0xE9, 0xBF, 0xF6]          // 办结情况
    func mixed(_ b: [UInt8]) -> (Int, Bool)? { b.withUnsafeBufferPointer { Transcode.mixedEncoding($0).map { ($0.offset, $0.utf8Above) } } }
    let utf8Lines = Array("编号,案由\nA,关于午餐\n".utf8)
    // UTF-8 above, then a GB18030 line: the bad byte.
    let m1 = mixed(utf8Lines + Array("B,".utf8) + gb + [0x0A])
    #expect(m1?.0 == utf8Lines.count + 2 && m1?.1 == true)
    // GB18030 from the start, then a line of UTF-8 text: that line's first character.
    let m2 = mixed(gb + [0x0A] + Array("A,".utf8) + gb + [0x0A] + Array("B,关于午餐\n".utf8))
    #expect(m2?.0 == gb.count * 2 + 6 && m2?.1 == false)
    // One encoding throughout.
    #expect(mixed(gb + [0x0A] + Array("A,".utf8) + gb + [0x0A]) == nil)
    #expect(mixed(utf8Lines) == nil)
}

@Test func firstInvalidUTF8AgreesWithSwiftsDecoderOnDamagedChineseText() {
    // Runs of three-byte characters (the fast path takes two at a time), with the leads that
    // need their second byte checked (E0: overlong below U+0800; ED: surrogates) among them,
    // then bytes changed at random: the offset is where Swift's own decoder first fails.
    let chars: [Unicode.Scalar] = ["办", "结", "〇", "\u{0800}", "\u{0FFF}", "\u{D7FF}", "\u{D000}", "\u{E000}", "\u{FFFD}", "a", "é", "😀"]
    var rng = SplitMix64(seed: 15)
    for _ in 0..<3000 {
        var bytes: [UInt8] = []
        for _ in 0..<(1 + Int(rng.next() % 24)) { bytes += Array(String(chars[Int(rng.next() % UInt64(chars.count))]).utf8) }
        for _ in 0..<Int(rng.next() % 3) {
            let k = Int(rng.next() % UInt64(bytes.count))
            switch rng.next() % 4 {
            case 0: bytes[k] = 0xED
            case 1: bytes[k] = 0xE0
            case 2: bytes[k] = UInt8(0x80 + rng.next() % 0x40)
            default: bytes[k] = UInt8(truncatingIfNeeded: rng.next())
            }
        }
        let got = bytes.withUnsafeBufferPointer { Transcode.firstInvalidUTF8($0) }
        // Swift's decoder: the first position where a scalar fails to decode.
        var expected: Int?
        var it = bytes.makeIterator(), decoder = UTF8(), offset = 0
        loop: while true {
            switch decoder.decode(&it) {
            case .scalarValue(let s): offset += UTF8.width(s)
            case .emptyInput: break loop
            case .error: expected = offset; break loop
            }
        }
        #expect(got == expected, "\(bytes.map { String($0, radix: 16) })")
    }
}
