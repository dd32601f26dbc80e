// Column storage: one array per field, small integer codes for repeated values.

/// Interned text: one pool code per row (0 = empty).
public final class TextColumn: @unchecked Sendable {
    public var codes: [UInt32] = []
    public let pool: StringPool
    public init(pool: StringPool) { self.pool = pool }
    public subscript(row: Int) -> String { pool[codes[row]] }
}

/// A list of interned texts per row: values[starts[row]..<starts[row+1]].
public final class ListColumn: @unchecked Sendable {
    public var starts: [UInt32] = [0]
    public var values: [UInt32] = []
    public let pool: StringPool
    public init(pool: StringPool) { self.pool = pool }
    @inline(__always) public func range(_ row: Int) -> Range<Int> { Int(starts[row])..<Int(starts[row + 1]) }
    public subscript(row: Int) -> [String] { range(row).map { pool[values[$0]] } }
    public func append(_ codes: some Sequence<UInt32>) {
        values.append(contentsOf: codes)
        starts.append(UInt32(values.count))
    }
}

/// An enumerated value per row (EnumInfo.none = empty).
public final class CodeColumn: @unchecked Sendable {
    public var codes: [UInt8] = []
    public let info: EnumInfo
    public init(info: EnumInfo) { self.info = info }
}

public final class BoolColumn: @unchecked Sendable {
    public var values: [Bool] = []
    public init() {}
}

/// Days since 1970-01-01; Day.none = empty.
public final class DayColumn: @unchecked Sendable {
    public var values: [Int32] = []
    public init() {}
}

public final class IntColumn: @unchecked Sendable {
    public var values: [Int32] = []
    public init() {}
}

public enum ColumnRef: @unchecked Sendable {
    case text(TextColumn)
    case list(ListColumn)
    case code(CodeColumn)
    case bool(BoolColumn)
    case day(DayColumn)
    case int(IntColumn)

    /// The cell as text for display and export: tokens for enums, ISO dates, lists joined with ;.
    public func display(_ row: Int, labels: Bool = false) -> String {
        switch self {
        case .text(let c): return c[row]
        case .list(let c): return c[row].joined(separator: ";")
        case .code(let c): return labels ? c.info.label(c.codes[row]) : c.info.token(c.codes[row])
        case .bool(let c): return c.values[row] ? "true" : "false"
        case .day(let c): let v = c.values[row]; return v == Day.none ? "" : Day(raw: v).description
        case .int(let c): return String(c.values[row])
        }
    }

    public func isEmpty(_ row: Int) -> Bool {
        switch self {
        case .text(let c): return c.codes[row] == 0
        case .list(let c): return c.starts[row] == c.starts[row + 1]
        case .code(let c): return c.codes[row] == EnumInfo.none
        case .bool: return false
        case .day(let c): return c.values[row] == Day.none
        case .int: return false
        }
    }

    public var count: Int {
        switch self {
        case .text(let c): return c.codes.count
        case .list(let c): return c.starts.count - 1
        case .code(let c): return c.codes.count
        case .bool(let c): return c.values.count
        case .day(let c): return c.values.count
        case .int(let c): return c.values.count
        }
    }

    /// Bytes held by the column's own arrays (pools are counted once, by the store).
    public var footprint: Int {
        switch self {
        case .text(let c): return c.codes.capacity * 4
        case .list(let c): return c.starts.capacity * 4 + c.values.capacity * 4
        case .code(let c): return c.codes.capacity
        case .bool(let c): return c.values.capacity
        case .day(let c): return c.values.capacity * 4
        case .int(let c): return c.values.capacity * 4
        }
    }
}
