// The fuzz target for legacy .xls workbooks (Fuzz.swift dispatches to it): each input is a
// cases.xls, loaded as a dataset by caseql's own reader of the compound file and its BIFF8
// records (CompoundFile.swift, BIFF8.swift). Nothing may crash or hang; an error is an answer.

import CaseStore
import Foundation

func fuzzXLS(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = fuzzFolder + "/cases.xls"
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size))
    var options = LoadOptions(lenient: true)
    options.rejectsDirectory = fuzzFolder
    _ = try? DatasetLoader.load(path, options: options)
    return 0
}
