import Foundation

/// Text cells and lists of texts: interned into the column's pool, or kept as bytes for a
/// deferred column.
extension CellParser {
    @inline(__always)
    func appendText(_ cell: UnsafeBufferPointer<UInt8>) -> Message? {
        let p = reading == .people ? CellWords.person(cell) : cell
        if let pending = pendingRef {
            if !Transcode.isValidUTF8(p) { sawInvalidUTF8 = true }
            return pending._withUnsafeGuaranteedRef { pending -> Message? in
                guard pending.fits(p.count) else { return CellParser.over4GB }
                pending.append(p)
                return nil
            }
        }
        // The same text as the cell above (events of one case, rows sorted by a field): its code
        // again, without a hash-table probe.
        if p.count == lastCount, p.count > 0, memcmp(p.baseAddress!, lastBytes, p.count) == 0 {
            words.append(lastCode)
            return nil
        }
        var isNew = false
        let code = poolRef!._withUnsafeGuaranteedRef { $0.intern(p, isNew: &isNew) }
        if isNew && !Transcode.isValidUTF8(p) { sawInvalidUTF8 = true }
        words.append(code)
        if p.count <= CellParser.lastCapacity, let b = p.baseAddress {
            lastBytes.update(from: b, count: p.count); lastCount = p.count; lastCode = code
        } else {
            lastCount = -1
        }
        return nil
    }

    @inline(__always)
    func appendList(_ p: UnsafeBufferPointer<UInt8>) -> Message? {
        let pool = poolRef!, pending = pendingRef
        var start = 0
        var i = 0
        let n = p.count
        var prefix = 0, first = true, afterDun = false
        while i <= n {
            // Items end at ; , or 、 (E3 80 81) ； (EF BC 9B) ， (EF BC 8C), or at the end of the cell.
            var sep = 0
            if i == n { sep = 1 } else if p[i] == 0x3B || p[i] == 0x2C { sep = 1 } else if p[i] >= 0xE3, i + 2 < n,
                (p[i] == 0xE3 && p[i + 1] == 0x80 && p[i + 2] == 0x81) || (p[i] == 0xEF && p[i + 1] == 0xBC && (p[i + 2] == 0x9B || p[i + 2] == 0x8C)) {
                sep = 3
            }
            if sep == 0 { i += 1; continue }
            var item = CellParser.trim(UnsafeBufferPointer(rebasing: p[start..<i]))
            switch reading {
            case .plain: break
            case .people: item = CellWords.person(item)
            case .units:
                item = CellWords.unit(item)
                if first {
                    prefix = sep == 1 && i == n ? 0 : CellWords.levelPrefix(item)
                    if prefix > 0 { withPrefix = Array(item.prefix(prefix)) }
                } else if prefix > 0, afterDun, CellWords.lacksLevel(item) {
                    // `省发展改革委、财政厅`: 财政厅 is 省财政厅 (after 、 only: `;` joins whole names).
                    withPrefix.removeLast(withPrefix.count - prefix)
                    withPrefix.append(contentsOf: item)
                    let done = withPrefix.withUnsafeBufferPointer { b -> Message? in appendItem(b, pool, pending) }
                    if let done { return done }
                    afterDun = sep == 3 && p[i] == 0xE3
                    i += sep; start = i; first = false
                    continue
                }
            }
            first = false
            if let message = appendItem(item, pool, pending) { return message }
            afterDun = sep == 3 && p[i] == 0xE3
            i += sep
            start = i
        }
        words.append(UInt32(pending.map { $0._withUnsafeGuaranteedRef { $0.count } } ?? baseEntries + entries.count))
        return nil
    }

    @inline(__always)
    func appendItem(_ item: UnsafeBufferPointer<UInt8>, _ pool: Unmanaged<StringPool>, _ pending: Unmanaged<PendingCells>?) -> Message? {
        do {
            if item.count > 0, let pending {
                if !Transcode.isValidUTF8(item) { sawInvalidUTF8 = true }
                let fits = pending._withUnsafeGuaranteedRef { pending -> Bool in
                    guard pending.fits(item.count) else { return false }
                    pending.append(item)
                    return true
                }
                if !fits { return CellParser.over4GB }
            } else if item.count > 0 {
                var isNew = false
                entries.append(pool._withUnsafeGuaranteedRef { $0.intern(item, isNew: &isNew) })
                if isNew && !Transcode.isValidUTF8(item) { sawInvalidUTF8 = true }
            }
        }
        return nil
    }

}
