/// One row of a generated table, filled cell by cell by field name and written in the order of
/// the table's field list (Schema.cases, Schema.events), the same list the header is written
/// from. The generator never writes a cell by its position: a field added to Schema is written
/// empty until the generator fills it, and a field the generator names that its table lacks
/// stops it at once (`slot` fails its precondition) instead of shifting every later cell.
struct RowBuilder {
    /// The stored fields, in file order.
    let specs: [FieldSpec]
    private var buffer: [UInt8] = []
    private var starts: [Int]
    private var ends: [Int]

    init(_ specs: [FieldSpec]) {
        self.specs = specs.filter { !$0.derived && !$0.filled }
        starts = Array(repeating: 0, count: self.specs.count)
        ends = starts
        buffer.reserveCapacity(1024)
    }

    /// The position of the field `key` in the file.
    func slot(_ key: FieldName) -> Int {
        guard let i = specs.firstIndex(where: { $0.key == key }) else {
            preconditionFailure("the generator writes \"\(key)\", which is not a stored field of its table")
        }
        return i
    }

    /// Sets a cell (the last value set wins).
    @inline(__always)
    mutating func put(_ slot: Int, _ bytes: [UInt8]) {
        starts[slot] = buffer.count
        buffer.append(contentsOf: bytes)
        ends[slot] = buffer.count
    }

    /// Writes the row, every field in file order (empty where nothing was set), and clears it.
    mutating func write(to out: inout FileSink) {
        buffer.withUnsafeBufferPointer { b in
            for i in 0..<specs.count {
                out.writer.field(bytes: UnsafeBufferPointer(rebasing: b[starts[i]..<ends[i]]))
            }
        }
        out.endRow()
        buffer.removeAll(keepingCapacity: true)
        for i in 0..<specs.count { starts[i] = 0; ends[i] = 0 }
    }
}

/// The positions of the fields of cases.csv the generator fills.
struct CaseSlots {
    let id, kind, level, recess, year, title, proposer, proposerType, cosigners, category, unit, coUnits,
        keySupervised, leader, assignedOn, signedOn, deadline, repliedOn, closedOn, status, contact,
        satisfaction, resolution, form: Int

    init(_ r: RowBuilder) {
        id = r.slot(.id); kind = r.slot(.kind); level = r.slot(.level); recess = r.slot(.recess)
        year = r.slot(.year); title = r.slot(.title); proposer = r.slot(.proposer)
        proposerType = r.slot(.proposerType); cosigners = r.slot(.cosigners); category = r.slot(.category)
        unit = r.slot(.unit); coUnits = r.slot(.coUnits); keySupervised = r.slot(.keySupervised)
        leader = r.slot(.leader); assignedOn = r.slot(.assignedOn); signedOn = r.slot(.signedOn)
        deadline = r.slot(.deadline); repliedOn = r.slot(.repliedOn); closedOn = r.slot(.closedOn)
        status = r.slot(.status); contact = r.slot(.contact); satisfaction = r.slot(.satisfaction)
        resolution = r.slot(.resolution); form = r.slot(.form)
    }
}

/// The positions of the fields of events.csv the generator fills.
struct EventSlots {
    let caseID, date, unit, action, note: Int

    init(_ r: RowBuilder) {
        caseID = r.slot(.caseID); date = r.slot(.date); unit = r.slot(.unit); action = r.slot(.action)
        note = r.slot(.note)
    }
}
