// libFuzzer entry point of caseql's fuzz targets, built by Tests/fuzz/run.sh with the CaseStore
// and CaseQuery sources into one binary (swiftc -sanitize=fuzzer,address -parse-as-library), so
// that the sources are compiled once for all targets. CASEQL_FUZZ_TARGET picks the target:
//
//   parser  the lexer and parser (FuzzParser.swift)
//   loader  CSV bytes loaded in one part and in two (FuzzLoader.swift)
//   eval    statements run on a small dataset (FuzzEval.swift)
//   xls     .xls bytes loaded as a dataset (FuzzXLS.swift)

#if canImport(Glibc)
import Glibc
#endif

/// The target named by CASEQL_FUZZ_TARGET (default: parser).
let fuzzTarget: (UnsafePointer<UInt8>, Int) -> CInt = {
    switch getenv("CASEQL_FUZZ_TARGET").map({ String(cString: $0) }) ?? "parser" {
    case "loader": return fuzzLoader
    case "eval": return fuzzEval
    case "parser": return fuzzParser
    case "xls": return fuzzXLS
    case let other: fatalError("CASEQL_FUZZ_TARGET=\(other): expected parser, loader, eval or xls")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzTarget(data, size)
}
