// CaseStore: the model, columns and indexes, loading, the dataset generator.
