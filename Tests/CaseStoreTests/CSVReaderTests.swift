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
                i += 1
                while true {
                    guard i < n else { return (rows, lines, open) }
                    if b[i] == 0x22 {
                        if i + 1 < n && b[i + 1] == 0x22 { value.append(0x22); i += 2; continue }
                        break
                    }
                    if b[i] == 0x0A { line += 1 }
                    value.append(b[i]); i += 1
                }
                i += 1
                if i < n && b[i] != 0x2C && b[i] != 0x0A && b[i] != 0x0D { return (rows, lines, i) }
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
