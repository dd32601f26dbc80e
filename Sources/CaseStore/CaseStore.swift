// CaseStore: the model, columns and indexes, loading, the dataset generator.

#if !os(Linux)
#error("caseql builds on Linux (Debian) only: its C libraries come from Debian's packages and the store calls glibc directly")
#endif
