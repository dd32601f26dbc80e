import Foundation

extension CellParser {
    /// Moves the rows parsed so far into the column, followed by those of `other` (the same field
    /// parsed from the second half of the file into a table of its own): its texts are re-interned
    /// into this column's pool, its pending cells appended to this column's. Each value is copied
    /// once, and each buffer given back as soon as it is copied.
    ///
    /// `roomForMore`: the rows of that many more parts are still to come (about as many each as
    /// these): room is made for them now, so appending them later copies nothing again.
    func flush(appending other: CellParser? = nil, roomForMore: Int = 0) {
        func move<T>(_ b: inout RawBuffer<T>, _ o: UnsafeMutablePointer<RawBuffer<T>>?, into a: inout [T]) {
            let more = roomForMore > 0 ? b.count * roomForMore + b.count / 16 : 0
            a.reserveCapacity(a.count + b.count + (o?.pointee.count ?? 0) + more)
            a.append(contentsOf: UnsafeBufferPointer(start: b.base, count: b.count))
            b.free(); b = RawBuffer(capacity: 16)
            if let o {
                a.append(contentsOf: UnsafeBufferPointer(start: o.pointee.base, count: o.pointee.count))
                o.pointee.free(); o.pointee = RawBuffer(capacity: 16)
            }
        }
        /// The same for codes, the other's then changed in place: through `table` (its pool's codes
        /// → this pool's) or by `shift`.
        func moveCodes(_ b: inout RawBuffer<UInt32>, _ o: UnsafeMutablePointer<RawBuffer<UInt32>>?, into a: inout [UInt32],
                       table: [UInt32]? = nil, shift: UInt32 = 0) {
            let base = a.count + b.count
            move(&b, o, into: &a)
            guard o != nil, table != nil || shift != 0 else { return }
            a.withUnsafeMutableBufferPointer { p in
                if let table {
                    table.withUnsafeBufferPointer { t in for i in base..<p.count { p[i] = t[Int(p[i])] } }
                } else {
                    for i in base..<p.count { p[i] &+= shift }
                }
            }
        }
        /// Codes of the other parser's pool → codes of this one.
        func remap(_ from: StringPool?, _ to: StringPool) -> [UInt32]? {
            guard let from else { return nil }
            return (0..<UInt32(from.count)).map { code in from.withBytes(code) { to.intern($0) } }
        }
        func with<T>(_ o: CellParser?, _ path: WritableKeyPath<CellParser, RawBuffer<T>>, _ body: (UnsafeMutablePointer<RawBuffer<T>>?) -> Void) {
            guard var o else { body(nil); return }
            var buffer = o[keyPath: path]
            body(&buffer)
            o[keyPath: path] = buffer
        }
        switch column {
        case .text(let c):
            if let pending {
                if let p = other?.pending {
                    pending.append(contentsOf: p)
                    if case .text(let x) = other!.column { x.pending = nil }   // gives its bytes back
                }
            } else if let o = other, let p = o.pending {
                // The other part kept its cells as bytes (`Pools.internsAtJoin`): interned here,
                // in order, its bytes given back as they are read.
                move(&words, nil, into: &c.codes)
                c.codes.reserveCapacity(c.codes.count + p.count)
                p.internAll(into: c.pool) { c.codes.append($0) }
                if case .text(let x) = o.column { x.pending = nil }
            } else {
                let t = remap(other?.pool, c.pool)
                with(other, \.words) { moveCodes(&words, $0, into: &c.codes, table: t) }
            }
        case .list(let c):
            let shift = UInt32(pending?.count ?? baseEntries + entries.count)
            with(other, \.words) { moveCodes(&words, $0, into: &c.starts, shift: shift) }
            if let pending {
                if let p = other?.pending {
                    pending.append(contentsOf: p)
                    if case .list(let x) = other!.column { x.pending = nil }
                }
            } else {
                let t = remap(other?.pool, c.pool)
                with(other, \.entries) { moveCodes(&entries, $0, into: &c.values, table: t) }
            }
            baseEntries = c.entryCount
        case .code(let c): with(other, \.bytes) { move(&bytes, $0, into: &c.codes) }
        case .bool(let c):
            // The bytes are 0 or 1: Bool's own representation.
            var values: [UInt8] = []
            with(other, \.bytes) { move(&bytes, $0, into: &values) }
            c.values.reserveCapacity(c.values.count + values.count + (roomForMore > 0 ? values.count * roomForMore + values.count / 16 : 0))
            values.withUnsafeBytes { raw in c.values.append(contentsOf: raw.bindMemory(to: Bool.self)) }
        case .day(let c): with(other, \.numbers) { move(&numbers, $0, into: &c.values) }
        case .int(let c): with(other, \.numbers) { move(&numbers, $0, into: &c.values) }
        case .real: break   // no parser is made for one (init)
        }
    }
}
